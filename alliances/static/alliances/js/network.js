// The network page's graph: Cytoscape.js drawing the JSON of /alliances/reseau/…/donnees.json.
// The links are rebuilt here from each alliance's partners (a clique per alliance), so the
// filters (actor types, type of partnership, fragilité) re-count them without a request;
// showing the isolated actors asks the server for them. The lists of the page carry the
// same content for keyboards, screen readers and browsers without JavaScript.
(function () {
  "use strict";

  var LARGE = 2000; // above this many elements, lighter drawing while zooming and panning

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // One entry per pair of partners: its alliances (indices into data.alliances).
  function buildLinks(data) {
    var links = new Map();
    var partners = data.alliances.p;
    for (var a = 0; a < partners.length; a++) {
      var members = partners[a];
      for (var i = 0; i < members.length; i++) {
        for (var j = i + 1; j < members.length; j++) {
          var s = Math.min(members[i], members[j]), d = Math.max(members[i], members[j]);
          var key = s + "-" + d;
          var link = links.get(key);
          if (!link) { link = {s: s, d: d, alliances: []}; links.set(key, link); }
          link.alliances.push(a);
        }
      }
    }
    return Array.from(links.values());
  }

  function elementsOf(data, links) {
    var nodes = data.nodes, elements = [];
    for (var i = 0; i < nodes.id.length; i++) {
      var type = data.types[nodes.t[i]];
      var element = {
        group: "nodes",
        data: {
          id: "n" + i, index: i, org: nodes.id[i], label: nodes.name[i], type: type.code,
          colour: type.colour, shape: type.shape, size: 14 + 5 * Math.sqrt(nodes.deg[i]),
        },
      };
      if (nodes.x) element.position = {x: nodes.x[i], y: nodes.y[i]};
      elements.push(element);
    }
    links.forEach(function (link, k) {
      elements.push({group: "edges", data: {
        id: "e" + k, source: "n" + link.s, target: "n" + link.d, link: k,
        w: link.alliances.length,
      }});
    });
    return elements;
  }

  function currentFilters(form) {
    var types = new Set();
    form.querySelectorAll("input[name=type]:checked").forEach(function (box) {
      types.add(box.value);
    });
    return {
      types: types,
      allianceType: form.elements.alliance_type ? form.elements.alliance_type.value : "",
      fragility: form.elements.fragility ? form.elements.fragility.value : "",
      isolated: form.elements.isolated ? form.elements.isolated.checked : false,
    };
  }

  ready(function () {
    var container = document.getElementById("network-graph");
    var form = document.getElementById("network-filters");
    var status = document.getElementById("network-status");
    var tooltip = document.getElementById("network-tooltip");
    if (!container || !form || typeof window.cytoscape !== "function") return;
    var baseUrl = container.dataset.url;
    var cy = null, data = null, links = [], isolatedShown = null;

    function say(text) { status.textContent = text; }

    function apply() {
      if (!cy) return;
      var f = currentFilters(form);
      var allianceTypeIndex = -1, fragilityIndex = -1;
      if (f.allianceType) {
        allianceTypeIndex = data.allianceTypes.findIndex(function (t) {
          return t[0] === f.allianceType;
        });
      }
      if (f.fragility) {
        fragilityIndex = data.fragilities.findIndex(function (t) { return t[0] === f.fragility; });
      }
      var keepAlliance = data.alliances.t.map(function (t, a) {
        if (allianceTypeIndex >= 0 && t !== allianceTypeIndex) return false;
        if (fragilityIndex >= 0 && data.alliances.f[a].indexOf(fragilityIndex) < 0) return false;
        return true;
      });
      var nodeKept = data.nodes.t.map(function (t) {
        return f.types.size === 0 || f.types.has(data.types[t].code);
      });
      var degree = new Array(data.nodes.id.length).fill(0);
      var shownNodes = 0, shownLinks = 0;
      cy.batch(function () {
        cy.edges().forEach(function (edge) {
          var link = links[edge.data("link")];
          var w = 0;
          if (nodeKept[link.s] && nodeKept[link.d]) {
            for (var i = 0; i < link.alliances.length; i++) if (keepAlliance[link.alliances[i]]) w++;
          }
          if (w > 0) {
            degree[link.s]++; degree[link.d]++; shownLinks++;
            edge.data("w", w); edge.removeClass("hidden");
          } else {
            edge.addClass("hidden");
          }
        });
        cy.nodes().forEach(function (node) {
          var i = node.data("index");
          var show = nodeKept[i] && (f.isolated || degree[i] > 0);
          node.toggleClass("hidden", !show);
          if (show) shownNodes++;
        });
      });
      say(shownLinks || shownNodes ? format(container.dataset.shown, {
        nodes: shownNodes.toLocaleString(), links: shownLinks.toLocaleString(),
      }) : container.dataset.empty);
    }

    function draw(payload) {
      data = payload;
      links = buildLinks(data);
      var elements = elementsOf(data, links);
      if (cy) cy.destroy();
      var large = elements.length > LARGE;
      cy = window.cytoscape({
        container: container,
        elements: elements,
        minZoom: 0.05, maxZoom: 6, wheelSensitivity: 0.3,
        textureOnViewport: large, hideEdgesOnViewport: large, pixelRatio: large ? 1 : "auto",
        style: [
          {selector: "node", style: {
            "background-color": "data(colour)", shape: "data(shape)",
            width: "data(size)", height: "data(size)",
            "border-width": 1, "border-color": "#222", label: "",
          }},
          {selector: "node.hover", style: {
            label: "data(label)", "font-size": 12, "text-valign": "top", "text-margin-y": -4,
            "text-background-color": "#fff", "text-background-opacity": 0.9,
            "border-width": 3, "z-index": 10,
          }},
          {selector: "edge", style: {
            width: "mapData(w, 1, 6, 1, 6)", "line-color": "#8a94a6", opacity: 0.6,
            "curve-style": "haystack",
          }},
          {selector: ".hidden", style: {display: "none"}},
        ],
        layout: data.layout === "preset" ? {name: "preset"} : {name: "grid"},
      });
      apply();
      if (data.layout !== "preset") {
        cy.elements().layout({
          name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: false,
          numIter: 1000,
        }).run();
      }
      cy.fit(cy.elements(":visible"), 20);
      cy.on("mouseover", "node", function (event) {
        var node = event.target;
        node.addClass("hover");
        tooltip.textContent = node.data("label");
        var p = node.renderedPosition();
        tooltip.style.left = Math.round(p.x + 12) + "px";
        tooltip.style.top = Math.round(p.y + 12) + "px";
        tooltip.hidden = false;
      });
      cy.on("mouseout", "node", function (event) {
        event.target.removeClass("hover");
        tooltip.hidden = true;
      });
      cy.on("tap", "node", function (event) {
        window.location.assign(data.orgUrl.replace("{id}", event.target.data("org")));
      });
      window.allianceNetwork = cy; // for the browser tests and the curious
    }

    // The whole network of the territory is loaded once, the filters applied here; only
    // the isolated actors (often the many) are asked for when wanted.
    function load() {
      isolatedShown = currentFilters(form).isolated;
      say(container.dataset.loading);
      return fetch(baseUrl + (isolatedShown ? "?isolated=on" : ""), {
        headers: {Accept: "application/json"}, credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(draw).catch(function () { say(container.dataset.error); });
    }

    form.addEventListener("change", function () {
      if (currentFilters(form).isolated !== isolatedShown) load();
      else apply();
    });
    load();
  });
})();
