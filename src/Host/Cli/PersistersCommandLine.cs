using System.CommandLine;
using System.CommandLine.Parsing;
using Persisters.Contracts;
using Persisters.Host.Configuration;

namespace Persisters.Host.Cli;

/// <summary>
/// The <c>persisters</c> command line: one executable, several verbs; with no verb it runs the service.
/// Exit codes: 0 done (accepted), 1 rejected or a mismatch, 2 a bad setting or option (every parse error of every verb),
/// 3 no answer within <c>--timeout</c>, 4 the broker refused a send or could not be reached, 5 the service failed on the
/// command, 130 interrupted.
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
        root.Subcommands.Add(Experiments());
        root.Subcommands.Add(AutoOps());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(ServiceBusEntitiesCommand.Create());
        return root;
    }

    // Operator verbs: commands over the configured broker to the running service, answers printed.

    private static Option<int> CommandTimeout() =>
        new Option<int>("--timeout") { Description = "Seconds to wait for the service's answer.", DefaultValueFactory = _ => 30 }.Between(1, 86_400);

    /// <summary>A verb whose only argument is the id of what it acts on.</summary>
    private static Command IdCommand(string verb, string description, string what, Func<string[], Guid, TimeSpan, CancellationToken, Task<int>> send)
    {
        var id = new Option<Guid>("--id") { Description = $"The {what}'s id.", Required = true };
        var timeout = CommandTimeout();
        var command = HostArguments.AllowOn(new Command(verb, description) { id, timeout });
        command.SetAction((p, ct) => Guard(() => send(HostArguments.Of(p), p.GetValue(id), TimeSpan.FromSeconds(p.GetValue(timeout)), ct)));
        return command;
    }

    private static string[] List(string? text) => (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Command Experiments()
    {
        var verb = new Command("experiments", "Create, start, stop, force-stop and list experiments (commands go to the running service over the broker).");
        var newId = new Option<Guid?>("--id") { Description = "Experiment id (default: a new one)." };
        var env = new Option<string>("--environment") { Description = "Environment id.", Required = true };
        var feature = new Option<string>("--feature") { Description = "Flag id.", Required = true };
        var featureVersion = new Option<int>("--feature-version") { Description = "Flag version the experiment is pinned to.", DefaultValueFactory = _ => 1 }.Between(0, int.MaxValue);
        var name = new Option<string?>("--name") { Description = "Display name (default: the flag id)." };
        var variations = new Option<string>("--variations") { Description = "Comma-separated variation ids.", Required = true };
        var baseline = new Option<string?>("--baseline") { Description = "Baseline variation (default: the first)." };
        var goals = new Option<string>("--goals") { Description = "Comma-separated goal ids.", Required = true };
        var startAt = new Option<long?>("--start-at")
        {
            Description = "now (the default), unix seconds or ISO 8601 (2026-12-01T09:00:00Z).",
            CustomParser = r => Time(r, "--start-at"),
        };
        var stopAt = new Option<long?>("--stop-at")
        {
            Description = "Unix seconds or ISO 8601 (default: --days after the start).",
            CustomParser = r => Time(r, "--stop-at"),
        };
        var days = new Option<int>("--days") { Description = "Length when --stop-at is not given.", DefaultValueFactory = _ => 14 }.Between(1, 36_500);
        var timeout = CommandTimeout();
        var create = HostArguments.AllowOn(new Command("create", "Create an experiment; it starts at --start-at and stops at --stop-at on its own.")
        {
            newId, env, feature, featureVersion, name, variations, baseline, goals, startAt, stopAt, days, timeout,
        });
        // The stop computed from --days must be a time too (--days 36500 from year 9990 is not).
        create.Validators.Add(r =>
        {
            if (!r.TryGetValue(stopAt, out var stopText) || stopText is not null || !r.TryGetValue(startAt, out var start) || !r.TryGetValue(days, out var length)) return;
            if (Period(start, null, length, DateTimeOffset.UtcNow).StopAt > OperatorCommands.MaxUnixSeconds)
            {
                r.AddError($"--days {length} after the start ends after 9999-12-31, the last time that can be scheduled: give a shorter --days or a --stop-at.");
            }
        });
        create.SetAction((p, ct) => Guard(() =>
        {
            var (start, stop) = Period(p.GetValue(startAt), p.GetValue(stopAt), p.GetValue(days), DateTimeOffset.UtcNow);
            var variationIds = List(p.GetValue(variations));
            var command = new CreateExperiment
            {
                ExperimentId = p.GetValue(newId) ?? Guid.NewGuid(),
                EnvironmentId = p.GetValue(env)!,
                Name = p.GetValue(name) ?? p.GetValue(feature)!,
                FeatureId = p.GetValue(feature)!,
                FeatureVersion = p.GetValue(featureVersion),
                VariationIds = variationIds,
                BaselineVariationId = p.GetValue(baseline) ?? variationIds.FirstOrDefault() ?? "",
                GoalIds = List(p.GetValue(goals)),
                StartAt = start,
                StopAt = stop,
            };
            return OperatorCommands.SendExperimentCommandAsync(HostArguments.Of(p), command, TimeSpan.FromSeconds(p.GetValue(timeout)), ct);
        }));
        verb.Subcommands.Add(create);

        verb.Subcommands.Add(IdCommand("start", "Start a waiting experiment now.", "experiment",
            (a, id, t, ct) => OperatorCommands.SendExperimentCommandAsync(a, new StartExperiment { ExperimentId = id }, t, ct)));
        verb.Subcommands.Add(IdCommand("stop", "Stop a running experiment now; late events are taken until its tail ends.", "experiment",
            (a, id, t, ct) => OperatorCommands.SendExperimentCommandAsync(a, new StopExperiment { ExperimentId = id }, t, ct)));
        verb.Subcommands.Add(IdCommand("force-stop", "Stop an experiment at once, without a late-event tail.", "experiment",
            (a, id, t, ct) => OperatorCommands.SendExperimentCommandAsync(a, new ForceStopExperiment { ExperimentId = id }, t, ct)));
        verb.Subcommands.Add(IdCommand("archive", "Archive a finished or force-stopped experiment.", "experiment",
            (a, id, t, ct) => OperatorCommands.SendExperimentCommandAsync(a, new ArchiveExperiment { ExperimentId = id }, t, ct)));

        var all = new Option<bool>("--all") { Description = "Include archived experiments." };
        var list = HostArguments.AllowOn(new Command("list", "List experiments (reads the database).") { all });
        list.SetAction((p, ct) => Guard(() => OperatorCommands.ListExperimentsAsync(HostArguments.Of(p), p.GetValue(all), ct)));
        verb.Subcommands.Add(list);
        return verb;
    }

    /// <summary>Start and stop in unix seconds: the start defaults to now, the stop to <paramref name="days"/> after the later of start and now.</summary>
    private static (long StartAt, long StopAt) Period(long? startAt, long? stopAt, int days, DateTimeOffset now)
    {
        var start = startAt ?? now.ToUnixTimeSeconds();
        return (start, stopAt ?? Math.Max(start, now.ToUnixTimeSeconds()) + days * 86_400L);
    }

    private static long? Time(ArgumentResult r, string option)
    {
        try
        {
            return OperatorCommands.ParseTime(option, r.Tokens.Single().Value, DateTimeOffset.UtcNow);
        }
        catch (SettingsException ex)
        {
            r.AddError(ex.Message);
            return null;
        }
    }

    private static Command AutoOps()
    {
        var verb = new Command("autoops", "Create, stop, delete and list event-rate (kill-switch) rules (commands go to the running service over the broker).");
        var newId = new Option<Guid?>("--id") { Description = "Rule id (default: a new one)." };
        var env = new Option<string>("--environment") { Description = "Environment id.", Required = true };
        var feature = new Option<string>("--feature") { Description = "Flag id.", Required = true };
        var featureVersion = new Option<int>("--feature-version") { Description = "Flag version whose users are counted.", DefaultValueFactory = _ => 1 }.Between(0, int.MaxValue);
        var clauses = new Option<EventRateClause[]>("--clause")
        {
            Description = "VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le], e.g. green:error:50:0.5:ge (repeat for more clauses).",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
            CustomParser = r =>
            {
                try
                {
                    return r.Tokens.Select(t => OperatorCommands.ParseClause(t.Value)).ToArray();
                }
                catch (SettingsException ex)
                {
                    r.AddError(ex.Message);
                    return null;
                }
            },
        };
        var timeout = CommandTimeout();
        var create = HostArguments.AllowOn(new Command("create", "Create an event-rate rule: the OPS persisters count its users from now on.")
        {
            newId, env, feature, featureVersion, clauses, timeout,
        });
        create.SetAction((p, ct) => Guard(() => OperatorCommands.SendRuleCommandAsync(HostArguments.Of(p), new CreateEventRateRule
        {
            RuleId = p.GetValue(newId) ?? Guid.NewGuid(),
            EnvironmentId = p.GetValue(env)!,
            FeatureId = p.GetValue(feature)!,
            FeatureVersion = p.GetValue(featureVersion),
            Clauses = p.GetValue(clauses)!,
        }, TimeSpan.FromSeconds(p.GetValue(timeout)), ct)));
        verb.Subcommands.Add(create);

        verb.Subcommands.Add(IdCommand("stop", "Stop counting for a rule (its counts stay).", "rule",
            (a, id, t, ct) => OperatorCommands.SendRuleCommandAsync(a, new StopEventRateRule { RuleId = id }, t, ct)));
        verb.Subcommands.Add(IdCommand("delete", "Delete a rule.", "rule",
            (a, id, t, ct) => OperatorCommands.SendRuleCommandAsync(a, new DeleteEventRateRule { RuleId = id }, t, ct)));

        var list = HostArguments.AllowOn(new Command("list", "List rules that are not deleted (reads the database)."));
        list.SetAction((p, ct) => Guard(() => OperatorCommands.ListRulesAsync(HostArguments.Of(p), ct)));
        verb.Subcommands.Add(list);
        return verb;
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
