# Reference raked weights for alliances/lib/tests/test_stats_raking.py, computed by R's
# survey::rake. Run from this directory:  Rscript raking.R
#
# Inputs (written by `python -m alliances.lib.tests.test_stats_raking`):
#   raking_data.csv     one row per respondent: region (0-12), taille (0-3), type (0-3),
#                       w_unit (all 1), w_lognormal (seeded lognormal initial weights)
#   raking_margins.csv  variable,category,share
# Output: raking_reference.json, the raked weights of each case, scaled to sum to n, in
# row order.
#
# Control: survey::rake's defaults (maxit = 10, epsilon = 1) stop on an absolute change of
# one unit of weight in the cross-table, far too loose for weights summing to n. With
# epsilon < 1, rake compares the change with epsilon * sum(initial weights); the population
# margins are given as shares times sum(initial weights), so that rule is "no cell of the
# cross-table moved by 1e-10 of the total", the Python module's default.
suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

data <- read.csv("raking_data.csv")
margins <- read.csv("raking_margins.csv")
control <- list(maxit = 100, epsilon = 1e-10, verbose = FALSE)

raked_weights <- function(variables, weight_column) {
  design <- svydesign(ids = ~1, weights = as.formula(paste0("~", weight_column)), data = data)
  total <- sum(data[[weight_column]])
  sample_margins <- lapply(variables, function(v) as.formula(paste0("~", v)))
  population_margins <- lapply(variables, function(v) {
    rows <- margins[margins$variable == v, ]
    frame <- data.frame(rows$category, rows$share * total)
    names(frame) <- c(v, "Freq")
    frame
  })
  raked <- rake(design, sample_margins, population_margins, control = control)
  w <- weights(raked)
  unname(w / sum(w) * nrow(data))
}

cases <- list(
  "region+taille/unit" = list(c("region", "taille"), "w_unit"),
  "region+taille/lognormal" = list(c("region", "taille"), "w_lognormal"),
  "region+taille+type/unit" = list(c("region", "taille", "type"), "w_unit"),
  "region+taille+type/lognormal" = list(c("region", "taille", "type"), "w_lognormal")
)
reference <- list(
  survey_version = as.character(packageVersion("survey")),
  r_version = R.version.string,
  control = control,
  weights = lapply(cases, function(case) raked_weights(case[[1]], case[[2]]))
)
writeLines(toJSON(reference, auto_unbox = TRUE, digits = NA, pretty = FALSE),
           "raking_reference.json")
