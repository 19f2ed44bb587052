"""Workshop rooms: one shared lab for a room of attendees, and what each side keeps.

The facilitator's side runs inside ``tuneup lab --room NAME``: the room's registry
(:mod:`~tuneup.room.registry`: join code, attendees and their personal keys, the
facilitator's token, pace, messages), the room's HTTP routes and dashboard
(:mod:`~tuneup.room.api`, :mod:`~tuneup.room.server`), the per-attendee limits
(:mod:`~tuneup.room.limits`) and the hand-out of prepared models
(:mod:`~tuneup.room.handout`). The attendee's side is the membership file written by
``tuneup join`` (:mod:`~tuneup.room.membership`), the progress reporter the tutor runs in
the background (:mod:`~tuneup.room.reporter`, :mod:`~tuneup.room.presence`) and catch-up
(:mod:`~tuneup.room.catchup`). Both talk over plain HTTP (:mod:`~tuneup.room.remote`).

Nothing here imports the UI.
"""
