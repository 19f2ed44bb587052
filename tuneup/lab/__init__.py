"""tuneup lab: a local server that speaks OpenAI's fine-tuning API. Jobs are run by a
detached runner, with the real trainer (``tuneup.lab.engine``, when installed) or the
simulated one. docs/lab.md says what it promises.

The modules, by role:

- **Serving** the API: ``app`` (the routes), ``http`` (JSON answers, request ids, the 500
  guard), ``files_api``, ``jobs_api``, ``models_api`` (one module per resource), ``bodies``
  (request bodies checked in full), ``upload`` (streamed, bounded uploads), ``apierror``,
  ``rules`` (OpenAI's refusals as the lessons state them), ``faults`` (for teaching),
  ``state`` (one lab: settings, store, keys and owners), ``serve`` and ``embed`` (running it
  in a thread; the tutor's own lab), ``keys``.
- **Storing**: ``store`` (files, jobs, models), ``index`` (O(page) listing), ``eventlog``,
  ``records`` (what a record must hold), ``health`` and ``heal`` (damaged records set aside,
  start-up checks), ``fsio`` (private files, strict JSON, locks), ``logs``, ``text``
  (control characters never stored).
- **Training**: ``jobs`` (jobs as the API sees them), ``runner`` (the detached queue
  runner), ``launch`` (starting a runner, finding the live one), ``workers`` (which
  trainer; the worker process), ``simulated`` (the simulated worker), ``progress`` (what a
  worker reports, written into the job), ``jobfiles``.
- **Chat**: ``generate`` (answers from the real engine), ``chat`` (the simulated chat),
  ``models`` (the base models the lab knows).
"""
