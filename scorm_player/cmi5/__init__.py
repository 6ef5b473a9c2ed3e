"""cmi5 on top of our LRS: launch data, the AU statement gate, moveOn evaluation and the LMS's own statements.

The modules here are pure (plain data in, plain data out) except `store`, the SQL for the cmi5 tables;
scorm_player.ops.cmi5 composes them into launch, fetch, waive and abandon, and
scorm_player.ops.cmi5_gate plugs the gate into the LRS as a session-bound credential kind.
"""
