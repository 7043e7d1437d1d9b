"""One scenario corpus for every httpkit front-end (see ``corpus.py`` for the adapter seam)."""
