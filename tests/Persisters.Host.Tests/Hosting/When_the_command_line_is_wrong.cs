using Persisters.Host.Cli;
using Persisters.Tests.Support;

namespace Persisters.Tests.Hosting;

/// <summary>
/// Field report: <c>experiments start --id not-a-guid</c> exited 1, which the README reserves for "rejected"; <c>--start-at</c> in
/// milliseconds faulted the saga; <c>--clause B:error:50:NaN:ge</c> crashed with a serialization trace. Right: every parse or option
/// error of every verb, and every value the service cannot represent, exits 2 with the form the option expects, before anything runs.
/// </summary>
public sealed class When_the_command_line_is_wrong
{
    private const string Id = "3f0c2b1e-9d4a-4c1e-8f00-1234567890ab";

    public static TheoryData<string, string[], string> BadOptionsOfEveryVerb => new()
    {
        { "unknown verb", ["lod"], "Unrecognized command or argument 'lod'" },
        { "run: unknown option", ["run", "--bogus"], "Unrecognized command or argument '--bogus'" },
        { "run: host setting without a value", ["run", "--urls"], "Unrecognized command or argument '--urls'" },
        { "run: option that is no setting", ["run", "--port=80"], "Unrecognized command or argument '--port=80'" },
        { "default verb: stray word", ["--urls", "http://127.0.0.1:1", "now"], "Unrecognized command or argument 'now'" },
        { "migrate: unknown option", ["migrate", "--dry-run"], "Unrecognized command or argument '--dry-run'" },
        { "load: not a number", ["load", "--events", "many"], "Cannot parse argument 'many' for option '--events'" },
        { "load: no events", ["load", "--events", "0"], "--events must be from 1 to 10000000, not 0" },
        { "load: envelope size", ["load", "--per-message", "0"], "--per-message must be from 1 to 10000, not 0" },
        { "load: shares", ["load", "--duplicates", "0.7", "--malformed", "0.5"], "below 1 together" },
        { "load: share NaN", ["load", "--duplicates", "NaN"], "are shares from 0 to below 1" },
        { "load: timeout", ["load", "--timeout", "-1"], "--timeout must be from 1 to 86400, not -1" },
        { "load: environment too long", ["load", "--environment", new string('e', 65)], "--environment must be 1 to 64 characters" },
        { "demo: unknown option", ["demo", "--fast"], "Unrecognized command or argument '--fast'" },
        { "calc: no input", ["calc"], "Option '--input' is required" },
        { "calc: unknown option", ["calc", "--input", "/etc/hostname", "--verbose"], "Unrecognized command or argument '--verbose'" },
        { "calc: missing input", ["calc", "--input", "/nonexistent/counts.json"], "File does not exist" },
        { "calc: chart format", ["calc", "--input", "/etc/hostname", "--chart", "chart.png"], "--chart 'chart.png': only .svg charts are supported" },
        { "chart: not a guid", ["chart", "--experiment", "x", "--output", "c.svg"], "Cannot parse argument 'x' for option '--experiment'" },
        { "chart: format", ["chart", "--experiment", Id, "--output", "c.png"], "--output 'c.png': only .svg charts are supported" },
        { "experiments: no subcommand", ["experiments"], "Required command was not provided" },
        { "experiments start: not a guid", ["experiments", "start", "--id", "not-a-guid"], "Cannot parse argument 'not-a-guid' for option '--id'" },
        { "experiments start: timeout", ["experiments", "start", "--id", Id, "--timeout", "0"], "--timeout must be from 1 to 86400, not 0" },
        { "experiments start: huge timeout", ["experiments", "start", "--id", Id, "--timeout", "2147483647"], "--timeout must be from 1 to 86400" },
        { "experiments stop: not a guid", ["experiments", "stop", "--id", "x"], "Cannot parse argument 'x' for option '--id'" },
        { "experiments force-stop: no id", ["experiments", "force-stop"], "Option '--id' is required" },
        { "experiments archive: not a guid", ["experiments", "archive", "--id", "1"], "Cannot parse argument '1' for option '--id'" },
        { "experiments list: unknown option", ["experiments", "list", "--archived"], "Unrecognized command or argument '--archived'" },
        { "experiments create: missing options", ["experiments", "create"], "Option '--environment' is required" },
        { "experiments create: start in milliseconds", Create("--start-at", "1796035161000"), "--start-at '1796035161000' looks like milliseconds; use now, unix seconds or ISO 8601" },
        { "experiments create: stop in milliseconds", Create("--stop-at", "1796035161000"), "--stop-at '1796035161000' looks like milliseconds" },
        { "experiments create: stop past year 9999", Create("--stop-at", "99999999999999999"), "--stop-at '99999999999999999' is not a time from 1970-01-01 to 9999-12-31" },
        { "experiments create: start before 1970", Create("--start-at", "1969-12-31T00:00:00Z"), "is not a time from 1970-01-01 to 9999-12-31" },
        { "experiments create: not a time", Create("--start-at", "next tuesday"), "--start-at 'next tuesday' is not a time" },
        { "experiments create: days", Create("--days", "-14"), "--days must be from 1 to 36500, not -14" },
        { "experiments create: days past year 9999", Create("--start-at", "9999-12-01T00:00:00Z", "--days", "60"), "--days 60 after the start ends after 9999-12-31" },
        { "experiments create: days and stop-at", Create("--days", "3", "--stop-at", "2030-01-01T00:00:00Z"), "--days and --stop-at both set the stop" },
        { "experiments create: feature version", Create("--feature-version", "-1"), "--feature-version must be from 0 to 2147483647, not -1" },
        { "experiments create: feature version overflow", Create("--feature-version", "3000000000"), "Cannot parse argument '3000000000' for option '--feature-version'" },
        { "autoops create: NaN threshold", Rule("B:error:50:NaN:ge"), "THRESHOLD 'NaN' is not a finite number" },
        { "autoops create: infinite threshold", Rule("B:error:50:Infinity:ge"), "THRESHOLD 'Infinity' is not a finite number" },
        { "autoops create: negative infinite threshold", Rule("B:error:50:-Infinity"), "THRESHOLD '-Infinity' is not a finite number" },
        { "autoops create: malformed clause", Rule("B:error:50"), "--clause 'B:error:50' is not VARIATION:GOAL:MIN_COUNT:THRESHOLD[:ge|le]" },
        { "autoops create: operator", Rule("B:error:50:0.5:gt"), "the operator is ge or le, not 'gt'" },
        { "autoops create: no clause", ["autoops", "create", "--environment", "e", "--feature", "f"], "Option '--clause' is required" },
        { "autoops stop: not a guid", ["autoops", "stop", "--id", "x"], "Cannot parse argument 'x' for option '--id'" },
        { "autoops delete: not a guid", ["autoops", "delete", "--id", "x"], "Cannot parse argument 'x' for option '--id'" },
        { "autoops list: unknown option", ["autoops", "list", "--all"], "Unrecognized command or argument '--all'" },
        { "servicebus-entities: format", ["servicebus-entities", "--format", "bicep"], "Argument 'bicep' not recognized. Must be one of" },
        { "servicebus-entities: unknown option", ["servicebus-entities", "--all"], "Unrecognized command or argument '--all'" },
    };

    private static string[] Create(params string[] extra) =>
        ["experiments", "create", "--environment", "e", "--feature", "f", "--variations", "a,b", "--goals", "g", .. extra];

    private static string[] Rule(string clause) => ["autoops", "create", "--environment", "e", "--feature", "f", "--clause", clause];

    [Theory]
    [MemberData(nameof(BadOptionsOfEveryVerb))]
    public async Task A_bad_option_of_any_verb_exits_2_with_what_the_option_expects_and_runs_nothing(string _, string[] args, string message)
    {
        var error = new StringWriter();

        var exit = await PersistersCommandLine.InvokeAsync(args, error);

        Assert.Equal(2, exit);
        Assert.Contains(message, error.ToString());
        Assert.Contains("--help", error.ToString());
    }

    /// <remarks>The values the service cannot represent are refused in the real process on a broker too: see the integration tests.</remarks>
    [Theory]
    [InlineData("experiments", "start", "--id", "not-a-guid")]
    [InlineData("run", "--bogus")]
    [InlineData("migrate", "--bogus")]
    [InlineData("servicebus-entities", "--format", "bicep")]
    public async Task The_reported_commands_exit_2_in_the_real_process_without_a_stack_trace(params string[] args)
    {
        var (exit, output) = await HostCommand.RunAsync(null, args);

        Assert.True(exit == 2, $"exit code {exit}:\n{output}");
        Assert.DoesNotContain("   at ", output);
        Assert.DoesNotContain("Unhandled exception", output);
    }
}
