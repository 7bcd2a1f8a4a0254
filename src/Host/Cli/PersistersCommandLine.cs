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

    /// <summary>The command tree.</summary>
    public static RootCommand Create()
    {
        var root = new RootCommand("Persisters: stores feature-flag evaluation and goal events for experiments and auto-ops, on demand.");
        HostArguments.AllowOn(root);
        root.SetAction((p, _) => Guard(() => ServiceCommand.RunAsync(HostArguments.Of(p))));

        var run = HostArguments.AllowOn(new Command("run", "Run the service (the default): persisters, health and metrics endpoints. Host settings may follow: --urls URL, --Section:Key=value."));
        run.SetAction((p, _) => Guard(() => ServiceCommand.RunAsync(HostArguments.Of(p))));
        root.Subcommands.Add(run);

        var migrate = HostArguments.AllowOn(new Command("migrate", "Create or upgrade the database schema, then exit."));
        migrate.SetAction((p, ct) => Guard(() => ServiceCommand.MigrateAsync(HostArguments.Of(p), ct)));
        root.Subcommands.Add(migrate);

        root.Subcommands.Add(Load());
        root.Subcommands.Add(Calc());
        root.Subcommands.Add(Chart());

        var demo = HostArguments.AllowOn(new Command("demo", "A one-minute tour: an A/B experiment, synthetic events through the persisters, the calculator, a results table and demo-chart.svg."));
        demo.SetAction((p, ct) => Guard(() => DemoCommand.RunAsync(HostArguments.Of(p), ct)));
        root.Subcommands.Add(demo);

        root.Subcommands.Add(ExperimentsCommand.Create());
        root.Subcommands.Add(AutoOpsCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(ServiceBusEntitiesCommand.Create(Guard));
        return root;
    }

    private static Command Load()
    {
        var events = new Option<int>("--events") { Description = "Evaluation events to publish (goal events follow for ~30% of users).", DefaultValueFactory = _ => 10_000 }.Between(1, 10_000_000);
        var duplicates = new Option<double>("--duplicates") { Description = "Share of events sent twice (same id).", DefaultValueFactory = _ => 0.05 };
        var malformed = new Option<double>("--malformed") { Description = "Share of malformed events (missing id, empty environment, far-future timestamp, ...).", DefaultValueFactory = _ => 0.01 };
        var publishOnly = new Option<bool>("--publish-only") { Description = "Only publish; the persisters run in another process (a broker transport is needed)." };
        var timeout = new Option<int>("--timeout") { Description = "Seconds to wait for the persisters.", DefaultValueFactory = _ => 300 }.Between(1, 86_400);
        var seed = new Option<int>("--seed") { Description = "Random seed of the synthetic traffic.", DefaultValueFactory = _ => 42 };
        var perMessage = new Option<int>("--per-message") { Description = "Events per broker message (an envelope, as a gateway sends them); 1 = one message per event.", DefaultValueFactory = _ => 1 }.Between(1, 10_000);
        var environment = new Option<string>("--environment") { Description = "Environment id of the events.", DefaultValueFactory = _ => "load" }.Id(Persistence.PersistersDbContext.EnvironmentIdLength);
        var load = HostArguments.AllowOn(new Command("load", "Publish synthetic events for a seeded running experiment, wait, and compare expected with persisted rows.")
        {
            events, duplicates, malformed, publishOnly, timeout, seed, environment, perMessage,
        });
        load.Validators.Add(r =>
        {
            var (d, m) = (r.GetValue(duplicates), r.GetValue(malformed));
            if (d is < 0 or >= 1 || m is < 0 or >= 1 || d + m >= 1 || !double.IsFinite(d) || !double.IsFinite(m))
            {
                r.AddError($"--duplicates ({d}) and --malformed ({m}) are shares from 0 to below 1, and below 1 together.");
            }
        });
        load.SetAction((p, ct) => Guard(() => LoadCommand.RunAsync(HostArguments.Of(p),
            new LoadCommand.Settings(p.GetValue(events), p.GetValue(duplicates), p.GetValue(malformed), p.GetValue(publishOnly),
                TimeSpan.FromSeconds(p.GetValue(timeout)), p.GetValue(seed), p.GetValue(environment)!, p.GetValue(perMessage)), ct)));
        return load;
    }

    private static Command Calc()
    {
        var input = new Option<FileInfo>("--input") { Description = "JSON document of per-variation counts.", Required = true }.AcceptExistingOnly();
        var output = new Option<FileInfo?>("--output") { Description = "Where to write the result JSON (default: standard output)." };
        var chart = new Option<FileInfo?>("--chart") { Description = "Also render the posteriors as an SVG chart to this file." }.Svg();
        var calc = new Command("calc", "Compute exact Bayesian experiment results from a JSON file of counts; no database needed.") { input, output, chart };
        calc.SetAction((p, ct) => Guard(() => CalcCommand.RunAsync(p.GetValue(input)!, p.GetValue(output), p.GetValue(chart), ct)));
        return calc;
    }

    private static Command Chart()
    {
        var experimentId = new Option<Guid>("--experiment") { Description = "Experiment id whose stored result to draw.", Required = true };
        var goal = new Option<string?>("--goal") { Description = "Goal to draw (default: the first)." };
        var output = new Option<FileInfo>("--output") { Description = "SVG file to write.", Required = true }.Svg();
        var chart = HostArguments.AllowOn(new Command("chart", "Render a stored experiment result (experiment_result) as an SVG chart.") { experimentId, goal, output });
        chart.SetAction((p, ct) => Guard(() => ChartCommand.RunAsync(HostArguments.Of(p), p.GetValue(experimentId), p.GetValue(goal), p.GetValue(output)!, ct)));
        return chart;
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
