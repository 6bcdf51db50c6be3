"""Developer tools (chat, and the request building and text-to-intent resolution they share).

Never imported by the skill at run time.
"""
