import CCRCore
