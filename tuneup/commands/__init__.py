"""Every action, once: each is a click command in one module of this package, run by the
shell (``tuneup validate …``) and by the tutor (``validate …`` at its prompt) alike. The
list of them is :data:`tuneup.commands.catalogue.ACTIONS`; nothing here imports them, so
the menu shows before any is loaded."""
