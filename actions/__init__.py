"""Aisle's custom actions, written against rasa_sdk's Action API.

The same package runs in process (the assistant's executor registers `registry.ACTIONS`)
and on a rasa_sdk action server: `python -m rasa_sdk --actions actions`.
"""
