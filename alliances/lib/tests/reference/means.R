# Reference values for alliances.lib.stats.estimates.mean_by_groups, computed by R's survey
# package.
#
# Reads estimates_data.csv (the respondents, their attributes and weights; see estimates.R)
# and means_data.csv (a number `x` per respondent id, empty when not answered; written by
# alliances/lib/tests/test_stats_means.py) and writes means_reference.json: svymean and svyby
# (domain estimates on subset() of the full design) of x, with their Taylor-linearised
# standard errors for the weights-only design svydesign(ids = ~1, weights = ~w).
#
#   Rscript alliances/lib/tests/reference/means.R alliances/lib/tests/reference

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) > 0) args[1] else "."

respondents <- read.csv(
  file.path(dir, "estimates_data.csv"),
  colClasses = c(region = "character", taille = "character", acteur = "character"),
  na.strings = ""
)
numbers <- read.csv(file.path(dir, "means_data.csv"), na.strings = "")
d <- merge(respondents[, c("id", "region", "taille", "acteur", "w")], numbers, by = "id")
d <- d[order(d$id), ]
stopifnot(nrow(d) == nrow(respondents))
design <- svydesign(ids = ~1, weights = ~w, data = d)

overall <- function(des) {
  m <- svymean(~x, des)
  ci <- confint(m)
  list(
    mean = unname(coef(m)[[1]]), se = unname(SE(m)[[1]]),
    ci_low = unname(ci[1, 1]), ci_high = unname(ci[1, 2]),
    n = nrow(des$variables)
  )
}

# One record per group present in the domain (svyby leaves out empty groups).
by_groups <- function(by, des) {
  r <- svyby(~x, by, des, svymean)
  keys <- all.vars(by)
  groups <- interaction(des$variables[keys], drop = TRUE, sep = ":")
  counts <- table(groups)
  lapply(seq_len(nrow(r)), function(i) {
    key <- lapply(keys, function(v) as.character(r[i, v]))
    names(key) <- keys
    label <- paste(unlist(key), collapse = ":")
    c(key, list(
      mean = unname(r[i, "x"]), se = unname(SE(r)[i]),
      n = unname(as.integer(counts[label]))
    ))
  })
}

answered <- subset(design, !is.na(x))
answered_small <- subset(design, !is.na(x) & taille == "moins_1000")

reference <- list(
  survey_version = as.character(packageVersion("survey")),
  sample_size = nrow(d),
  overall = overall(answered),
  overall_moins_1000 = overall(answered_small),
  by_region = by_groups(~region, answered),
  by_region_taille = by_groups(~region + taille, answered),
  by_region_moins_1000 = by_groups(~region, answered_small)
)

write_json(
  reference, file.path(dir, "means_reference.json"),
  auto_unbox = TRUE, digits = NA, pretty = TRUE
)
