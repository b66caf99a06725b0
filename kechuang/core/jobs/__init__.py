"""Background jobs (#11 item 4): long work — large imports, whole-city exports, Word reports —
runs on the django-tasks queue, never inside a web request. A `Job` row says who asked for what,
how far it got (done/total), why it failed (in Chinese) and where its result file is; only its
owner sees it and downloads the file."""
