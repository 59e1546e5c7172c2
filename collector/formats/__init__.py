"""Values written and read the same way everywhere: stored timestamps, Vietnamese numbers and
dates, spreadsheet cells that never run as formulas, tables read with their line numbers.

Pure functions over values: no database, no Flask. May import `shared` only.
"""
