/// The commented config written on first run.
public enum StarterConfig {
    public static let text = """
        // ccr configuration (JSON5: comments and trailing commas are fine).
        // Full reference: docs/configuration.md. Same format as the original claude-code-router.
        {
          // "PORT": 3456,
          // "APIKEY": "$CCR_APIKEY",      // required when HOST is not 127.0.0.1
          "LOG": true,
          "LOG_LEVEL": "info",
          "API_TIMEOUT_MS": 600000,

          // Each provider: a name, the FULL endpoint URL, a key (use $ENV_VARS), its models.
          // "transformer": {"use": ["Anthropic"]} marks an Anthropic-compatible endpoint
          // (…/v1/messages); URLs ending in /chat/completions speak OpenAI Chat.
          "Providers": [
            // {
            //   "name": "deepseek",
            //   "api_base_url": "https://api.deepseek.com/anthropic/v1/messages",
            //   "api_key": "$DEEPSEEK_API_KEY",
            //   "models": ["deepseek-chat"],
            //   "transformer": { "use": ["Anthropic"] },
            // },
          ],

          // Which provider,model serves Claude Code. Uncomment once a provider is set up.
          "Router": {
            // "default": "deepseek,deepseek-chat",
          },
        }

        """
}
