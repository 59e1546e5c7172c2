"""The counting rules and the figures they give: each machine's state as of a date, the
install-rate figures per unit and over the unit tree, the machine lists behind each figure,
which reported products are the mandated ones, and each figure's one-line definition.

The one place where a figure is defined (README, "How avroll counts"): the rules in
`states.py`, kept by `kept.py`, read by everyone through one door, `figures.py`. May import
`collector.store`, `collector.formats` and `shared`; never exports, web or cli.
"""
