namespace Persisters.Host.Configuration;

/// <summary>
/// Any setting "X" may be given as "XFile": the path of a file holding the value (container secrets),
/// e.g. <c>Transport__RabbitMq__PasswordFile=/run/secrets/rabbitmq-password</c>.
/// </summary>
public static class SecretFiles
{
    public const string Suffix = "File";

    public static void Apply(IConfigurationManager configuration)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (key, path) in ((IConfiguration)configuration).AsEnumerable())
        {
            if (path is null || !key.EndsWith(Suffix, StringComparison.Ordinal) || key.Length == Suffix.Length) continue;
            if (!File.Exists(path)) throw new SettingsException($"{key} points to '{path}', which does not exist.");
            values[key[..^Suffix.Length]] = File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        if (values.Count > 0) configuration.AddInMemoryCollection(values);
    }
}
