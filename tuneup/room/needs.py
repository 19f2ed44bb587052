"""What catching up to a step gives a learner, shared by the learner's side
(:mod:`tuneup.room.catchup`) and the room's (:mod:`tuneup.room.handout`): from step 2 the
sample training file, from step 3 a trained model as well."""

SAMPLE = "examples/marv.jsonl"  # under the package's content folder
NEEDS_FILE, NEEDS_JOB = 2, 3
