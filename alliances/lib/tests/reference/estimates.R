# Reference values for alliances/lib/stats/estimates.py, computed by R's survey package.
#
# Reads estimates_data.csv (written by alliances/lib/tests/test_stats_estimates.py) and writes
# estimates_reference.json: svymean and svyby (domain estimates on subset() of the full
# design) of the single choice q1 and of the multiple choice q2_1..q2_8, with their Taylor
# linearised standard errors for the weights-only design svydesign(ids = ~1, weights = ~w).
#
#   Rscript alliances/lib/tests/reference/estimates.R alliances/lib/tests/reference

suppressPackageStartupMessages({
  library(survey)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
dir <- if (length(args) > 0) args[1] else "."

d <- read.csv(
  file.path(dir, "estimates_data.csv"),
  colClasses = c(region = "character", taille = "character", acteur = "character"),
  na.strings = ""
)
d$q1 <- factor(d$q1, levels = 0:4)
design <- svydesign(ids = ~1, weights = ~w, data = d)
multi <- paste0("q2_", 1:8)
multi_formula <- as.formula(paste("~", paste(multi, collapse = " + ")))

overall <- function(formula, des) {
  m <- svymean(formula, des)
  ci <- confint(m)
  list(
    mean = unname(coef(m)), se = unname(SE(m)),
    ci_low = unname(ci[, 1]), ci_high = unname(ci[, 2]),
    n = nrow(des$variables)
  )
}

# One record per group present in the domain (svyby leaves out empty groups).
by_groups <- function(formula, by, des, k) {
  r <- svyby(formula, by, des, svymean)
  keys <- all.vars(by)
  means <- as.matrix(r[, length(keys) + seq_len(k)])
  ses <- as.matrix(SE(r))
  groups <- interaction(des$variables[keys], drop = TRUE, sep = ":")
  counts <- table(groups)
  lapply(seq_len(nrow(r)), function(i) {
    key <- lapply(keys, function(v) as.character(r[i, v]))
    names(key) <- keys
    label <- paste(unlist(key), collapse = ":")
    c(key, list(
      mean = unname(means[i, ]), se = unname(ses[i, ]),
      n = unname(as.integer(counts[label]))
    ))
  })
}

single <- subset(design, !is.na(q1))
single_small <- subset(design, !is.na(q1) & taille == "moins_1000")
answered <- subset(design, !is.na(q2_1))
answered_small <- subset(design, !is.na(q2_1) & taille == "moins_1000")

reference <- list(
  survey_version = as.character(packageVersion("survey")),
  sample_size = nrow(d),
  single = list(
    overall = overall(~q1, single),
    overall_moins_1000 = overall(~q1, single_small),
    by_region = by_groups(~q1, ~region, single, 5),
    by_region_taille = by_groups(~q1, ~region + taille, single, 5),
    by_region_moins_1000 = by_groups(~q1, ~region, single_small, 5)
  ),
  multiple = list(
    overall = overall(multi_formula, answered),
    by_region = by_groups(multi_formula, ~region, answered, 8),
    by_region_moins_1000 = by_groups(multi_formula, ~region, answered_small, 8)
  )
)

write_json(
  reference, file.path(dir, "estimates_reference.json"),
  auto_unbox = TRUE, digits = NA, pretty = TRUE
)
