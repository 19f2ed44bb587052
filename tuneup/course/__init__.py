"""The course: lessons as data (YAML), their validation, and the learner's progress."""
