from .beta import AsyncBeta, Beta
