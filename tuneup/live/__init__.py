"""Live actions: the fine-tuning lifecycle through the openai SDK, as a library with typed results.

Each module owns one concept: :mod:`ledger` (what the learner created), :mod:`upload`,
:mod:`train`, :mod:`watch`, :mod:`jobs`, :mod:`metrics`, :mod:`compare`, :mod:`chat` and
:mod:`doctor`. None of them imports a UI library; the openai SDK is imported lazily.
"""
