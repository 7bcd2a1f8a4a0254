namespace Persisters.Host.Configuration;

/// <summary>A bad or missing setting; the message names it by its configuration path.</summary>
public sealed class SettingsException(string message) : Exception(message);
