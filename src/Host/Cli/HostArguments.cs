using System.CommandLine;
using System.Text.RegularExpressions;

namespace Persisters.Host.Cli;

/// <summary>
/// Host configuration on the command line of the verbs that build a host (<c>run</c>, <c>migrate</c>, <c>load</c>, <c>demo</c>,
/// <c>chart</c>, <c>experiments …</c>, <c>autoops …</c>, <c>servicebus-entities</c>), in ASP.NET Core's command-line configuration forms:
/// <c>--Key=value</c>, <c>--Key value</c> and <c>Key=value</c>, where Key is a configuration path (<c>Transport:Kind</c>, or
/// <c>Transport__Kind</c> as in the environment) or one of the host's root settings (<c>urls</c>, <c>http_ports</c>,
/// <c>https_ports</c>, <c>environment</c>, <c>AllowedHosts</c>, <c>ShutdownTimeoutSeconds</c>). They override
/// <c>appsettings.json</c> and the environment. Anything else is an unrecognized argument (exit code 2), so a misspelt option
/// is never taken for a setting.
/// </summary>
public static partial class HostArguments
{
    private static readonly string[] RootKeys = ["urls", "http_ports", "https_ports", "environment", "AllowedHosts", "ShutdownTimeoutSeconds"];

    /// <summary>Lets <paramref name="command"/> take host configuration after its own options.</summary>
    public static Command AllowOn(Command command)
    {
        command.TreatUnmatchedTokensAsErrors = false;
        return command;
    }

    /// <summary>The host configuration arguments of the parse, as <c>--Section:Key=value</c>.</summary>
    /// <exception cref="InvalidOperationException">The tokens were not checked with <see cref="Problems"/> first.</exception>
    public static string[] Of(ParseResult parse)
    {
        var (arguments, problems) = Read(parse.UnmatchedTokens);
        return problems.Count == 0 ? arguments : throw new InvalidOperationException(problems[0]);
    }

    /// <summary>
    /// What is wrong with the tokens no option took: all of them for a verb that builds no host, those that are not host
    /// configuration for one that does. (System.CommandLine decides on the root command whether unmatched tokens are errors.)
    /// </summary>
    public static IReadOnlyList<string> Problems(ParseResult parse) =>
        parse.CommandResult.Command.TreatUnmatchedTokensAsErrors
            ? parse.UnmatchedTokens.Select(t => $"Unrecognized command or argument '{t}'.").ToList()
            : Read(parse.UnmatchedTokens).Problems;

    /// <summary>Reads the tokens as host configuration arguments, normalised to <c>--Section:Key=value</c>.</summary>
    public static (string[] Arguments, IReadOnlyList<string> Problems) Read(IReadOnlyList<string> tokens)
    {
        var arguments = new List<string>();
        var problems = new List<string>();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            var dashed = token.StartsWith("--", StringComparison.Ordinal);
            var body = dashed ? token[2..] : token;
            var equals = body.IndexOf('=');
            string key, value;
            if (equals > 0)
            {
                (key, value) = (body[..equals], body[(equals + 1)..]);
            }
            else if (dashed && i + 1 < tokens.Count && !tokens[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                (key, value) = (body, tokens[++i]);
            }
            else
            {
                problems.Add($"Unrecognized command or argument '{token}'.");
                continue;
            }
            var path = key.Replace("__", ":", StringComparison.Ordinal);
            if (!ConfigurationPath().IsMatch(path) || (!path.Contains(':') && !RootKeys.Contains(path, StringComparer.OrdinalIgnoreCase)))
            {
                problems.Add($"Unrecognized command or argument '{token}': host settings are --Section:Key=value (or --Section__Key value), " +
                             $"or one of --{string.Join(", --", RootKeys)}.");
                continue;
            }
            arguments.Add($"--{path}={value}");
        }
        return (arguments.ToArray(), problems);
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.\-]*(:[A-Za-z0-9_.\-]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ConfigurationPath();
}
