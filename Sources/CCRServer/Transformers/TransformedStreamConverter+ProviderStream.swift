import CCRCore

/// The OpenAI Chat converter behind a transformer chain's stream stages, driven by ``ProviderStream``.
extension TransformedStreamConverter: ProviderStreamConverter {}
