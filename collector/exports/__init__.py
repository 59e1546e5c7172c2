"""The files officers send: the install-rate appendix, unit machine lists, the device survey
and the reporting status, each as XLSX (to print and attach) and CSV (to process further).

Each export module builds its data once (`build_*`, also served as JSON) and renders it as
XLSX and CSV rows; `files.py` turns those into a named download.
"""
