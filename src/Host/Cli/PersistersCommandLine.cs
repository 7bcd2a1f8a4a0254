using System.CommandLine;
using System.CommandLine.Parsing;
using Persisters.Host.Configuration;

namespace Persisters.Host.Cli;

/// <summary>
/// The <c>persisters</c> command line: one executable, several verbs; with no verb it runs the service.
/// Exit codes: 0 done (accepted), 1 rejected or a mismatch, 2 a bad setting or option (every parse error of every verb),
/// 3 no answer within <c>--timeout</c> (or 504 from the operator API), 4 the broker refused a send or could not be reached (for
/// <c>experiments …</c> and <c>autoops …</c>: the service's HTTP API could not be reached, or answered 503), 5 the service failed on
/// the command, 130 interrupted.
/// Signals (Ctrl+C, SIGTERM) belong to the host a verb builds, which stops gracefully within its shutdown timeout;
/// System.CommandLine's own handler (which ends the process 2 s after the signal) is off.
/// </summary>
public static class PersistersCommandLine
{
    public const int Done = 0;
    public const int Rejected = 1;
    public const int BadSettingOrOption = 2;
    public const int NoAnswer = 3;
    public const int SendRefused = 4;
    public const int ServiceFailed = 5;
    public const int Interrupted = 130;

    /// <summary>Parses <paramref name="args"/> and runs the verb; a parse error is written to <paramref name="error"/> and gives exit code 2.</summary>
    public static async Task<int> InvokeAsync(string[] args, TextWriter? error = null)
    {
        var parse = Create().Parse(args);
        var problems = parse.Errors.Select(e => e.Message).Concat(HostArguments.Problems(parse)).Distinct().ToList();
        if (problems.Count > 0)
        {
            error ??= Console.Error;
            foreach (var problem in problems) await error.WriteLineAsync(problem);
            var path = new List<string>();
            for (SymbolResult? s = parse.CommandResult; s is not null; s = s.Parent)
            {
                if (s is CommandResult c) path.Insert(0, c.Command.Name);
            }
            await error.WriteLineAsync($"Usage: {string.Join(' ', path)} --help");
            return BadSettingOrOption;
        }
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    /// <summary>The command tree: the root runs the service; each verb defines its options and handler in its own file.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Persisters: stores feature-flag evaluation and goal events for experiments and auto-ops, on demand.");
        HostArguments.AllowOn(root);
        root.SetAction(ServiceCommand.Action);
        root.Subcommands.Add(ServiceCommand.Run());
        root.Subcommands.Add(ServiceCommand.Migrate());
        root.Subcommands.Add(LoadCommand.Create());
        root.Subcommands.Add(CalcCommand.Create());
        root.Subcommands.Add(ChartCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(ExperimentsCommand.Create());
        root.Subcommands.Add(AutoOpsCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(ServiceBusEntitiesCommand.Create());
        return root;
    }

    /// <summary>
    /// A bad setting ends the process with its message and exit code 2; a send the broker refused (or a broker that cannot be
    /// reached) with one line and exit code 4; an interrupt with 130. Never a stack trace.
    /// </summary>
    internal static async Task<int> Guard(Func<Task<int>> verb)
    {
        try
        {
            return await verb();
        }
        catch (SettingsException ex)
        {
            await Console.Error.WriteLineAsync($"Configuration error: {ex.Message}");
            return BadSettingOrOption;
        }
        catch (SendRefusedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ex.ExitCode;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("Interrupted.");
            return Interrupted;
        }
    }
}

/// <summary>Range and form checks that make a bad option value a parse error (exit code 2) naming the option.</summary>
internal static class OptionRules
{
    /// <summary>The option's value; false when it did not convert (that error is reported already).</summary>
    public static bool TryGetValue<T>(this OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>The value of <paramref name="option"/> in the command; false when it did not convert.</summary>
    public static bool TryGetValue<T>(this CommandResult result, Option<T> option, out T value)
    {
        if (result.GetResult(option) is { } optionResult) return optionResult.TryGetValue(out value);
        value = result.GetValue(option)!;
        return true;
    }

    public static Option<int> Between(this Option<int> option, int min, int max)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.TryGetValue<int>(out var v) && (v < min || v > max))
            {
                r.AddError($"{option.Name} must be from {min} to {max}, not {v}.");
            }
        });
        return option;
    }

    /// <summary>Not blank, at most <paramref name="maxLength"/> characters (the column's length).</summary>
    public static Option<string> Id(this Option<string> option, int maxLength)
    {
        option.Validators.Add(r =>
        {
            if (r.TryGetValue<string>(out var v) && (string.IsNullOrWhiteSpace(v) || v.EnumerateRunes().Count() > maxLength))
            {
                r.AddError($"{option.Name} must be 1 to {maxLength} characters, not '{v}'.");
            }
        });
        return option;
    }

    public static Option<T> Svg<T>(this Option<T> option) where T : FileSystemInfo?
    {
        option.Validators.Add(r =>
        {
            if (r.TryGetValue<T>(out var value) && value is FileInfo file && !file.Extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
            {
                r.AddError($"{option.Name} '{file.Name}': only .svg charts are supported.");
            }
        });
        return option;
    }
}
