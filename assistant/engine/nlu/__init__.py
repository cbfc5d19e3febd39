"""Natural-language understanding: training data, entity extraction, intent classification.

`training_data` reads Rasa 3.x NLU YAML, `entities` extracts entities by rule, `classifier`
ranks intents and `model` puts them together behind `NLUModel.parse`.
"""
