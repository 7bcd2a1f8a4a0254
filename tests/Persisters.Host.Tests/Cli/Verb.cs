using Persisters.Tests.Support;

namespace Persisters.Tests.Cli;

/// <summary>One run of an operator verb (<c>persisters experiments …</c>, <c>persisters autoops …</c>) of the built executable, to its end.</summary>
internal static class Verb
{
    /// <summary>Runs <paramref name="args"/> with <paramref name="environment"/> (plus the in-memory transport): the exit code, standard
    /// output alone, and both streams together.</summary>
    public static async Task<(int Exit, string Out, string All)> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        environment["Transport__Kind"] = "InMemory";
        await using var verb = HostCommand.Start(environment, args);
        var exit = await verb.WaitForExitAsync();
        return (exit, verb.StandardOutput, verb.Output);
    }

    /// <summary>The non-empty lines of <paramref name="text"/>.</summary>
    public static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToArray();
}
