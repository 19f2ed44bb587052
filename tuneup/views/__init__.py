"""Pure views: rich renderables built from plain data.

They import nothing from the tutor or the commands (a test walks the imports).
"""
