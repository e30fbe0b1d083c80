/* The map of a territory's actors (Leaflet): circle markers on one canvas, so that a few
   thousand actors stay smooth, coloured by actor type (the colours are the legend's, read
   from the stylesheet), shown or hidden by the type checkboxes, each with a popup linking to
   the actor's page. Tiles only when the platform configures a tile server; otherwise a plain
   background, still with zoom, pan and popups. The list under the map gives the same actors
   without JavaScript. */
(function () {
  "use strict";

  function swatch(code) {
    return document.querySelector('.map-swatch[data-type="' + code + '"]');
  }

  function popup(actor, label, detail, texts) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = actor[1];
    box.appendChild(name);
    var type = document.createElement("div");
    type.textContent = label;
    box.appendChild(type);
    if (actor[5]) {
      var note = document.createElement("div");
      note.className = "map-popup-note";
      note.textContent = texts.labelApproximate;
      box.appendChild(note);
    }
    var link = document.createElement("a");
    link.href = detail.replace("{id}", String(actor[0]));
    link.textContent = texts.labelOpen;
    var line = document.createElement("div");
    line.appendChild(link);
    box.appendChild(line);
    return box;
  }

  function start() {
    var element = document.getElementById("actors-map");
    if (!element || !window.L) {
      return;
    }
    var texts = element.dataset;
    var status = document.getElementById("map-status");
    status.textContent = texts.labelLoading;
    var map = L.map(element, { preferCanvas: true, zoomControl: false, minZoom: 2, maxZoom: 18 });
    element.actorsMap = map;
    L.control.zoom({ zoomInTitle: texts.labelZoomIn, zoomOutTitle: texts.labelZoomOut }).addTo(map);
    if (texts.tileUrl) {
      L.tileLayer(texts.tileUrl, { attribution: texts.tileAttribution, maxZoom: 19 }).addTo(map);
    } else {
      element.classList.add("actors-map-plain");
    }
    map.setView([46.6, 2.4], 5);
    var renderer = L.canvas({ padding: 0.5 });
    var groups = {};
    var sizes = {};
    var boxes = document.querySelectorAll(".map-filters input[name=type]");

    function shown() {
      var count = 0;
      boxes.forEach(function (box) {
        var group = groups[box.value];
        if (!group) {
          return;
        }
        if (box.checked) {
          group.addTo(map);
          count += sizes[box.value];
        } else {
          group.remove();
        }
      });
      status.textContent = texts.labelShown.replace("{count}", String(count));
    }

    function draw(data) {
      var points = [];
      data.types.forEach(function (code) {
        groups[code] = L.layerGroup();
        sizes[code] = 0;
      });
      var styles = {};
      data.actors.forEach(function (actor) {
        var code = data.types[actor[2]];
        if (!styles[code]) {
          var legend = swatch(code);
          styles[code] = {
            fill: legend ? getComputedStyle(legend).backgroundColor : "#4a5263",
            label: legend ? legend.dataset.label : code
          };
        }
        var marker = L.circleMarker([actor[3], actor[4]], {
          renderer: renderer, radius: 6, color: "#1d2330", weight: 1,
          fillColor: styles[code].fill, fillOpacity: 0.9
        });
        marker.bindPopup(function () {
          return popup(actor, styles[code].label, data.detail, texts);
        });
        groups[code].addLayer(marker);
        sizes[code] += 1;
        points.push([actor[3], actor[4]]);
      });
      if (points.length) {
        map.fitBounds(points, { padding: [24, 24], maxZoom: 14 });
      }
      shown();
      element.dataset.ready = "true";
    }

    boxes.forEach(function (box) {
      box.addEventListener("change", shown);
    });
    fetch(texts.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(draw)
      .catch(function () {
        status.textContent = texts.labelError;
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
