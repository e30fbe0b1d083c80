"""Survey statistics for the observatory, framework-free (NumPy only): weighted shares with
Taylor-linearised standard errors of a weights-only design, domain estimates, raking.

Each module is checked against reference values computed by R's `survey` package on fixed
data sets committed with the tests (`alliances/lib/tests/reference/`, with the R scripts
that produced them).
"""
