"""Readers for the French open-data registries: the RNA (associations, "waldec" file),
SIRENE establishments (StockEtablissement) and commune centres.

Framework-free: the readers stream records out of a file, check what can be checked
without a database (columns, row shape, identifiers) and say why a row is skipped. What
the database knows (is this commune known? is this number already there?) is for the
services that write (alliances.actors.registry).
"""
