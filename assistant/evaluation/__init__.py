"""`clausewise eval`: scoring retrieval, answers and review on labelled data (the shared eval set's
formats). No stage imports this package; only the CLI, the tests and the benchmarks do (a test in
tests/test_offline_and_layering.py checks it)."""
