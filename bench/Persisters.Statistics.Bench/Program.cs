// Experiment calculator benchmark: exact quadrature against Bucketeer-style Monte Carlo (105,000 draws per
// variation) on whole experiments of 30 cumulative daily cut-offs, with accuracy checks for both.
// Run: dotnet run -c Release --project bench/Persisters.Statistics.Bench [-- --quick]
using System.Diagnostics;
using System.Globalization;
using Persisters.Statistics;
using Persisters.Statistics.Numerics;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
var quick = args.Contains("--quick");
const int CutOffs = 30;
var exactRepetitions = quick ? 3 : 15;
var monteCarloRepetitions = quick ? 1 : 3;
var longDraws = quick ? 1_000_000 : 10_000_000;

Console.WriteLine($"Experiment calculator benchmark ({Environment.ProcessorCount} cores, .NET {Environment.Version}, single-threaded)");
Console.WriteLine($"Each experiment: {CutOffs} cumulative daily cut-offs, conversion and value models at every cut-off.");
Console.WriteLine($"Monte Carlo: {MonteCarloReference.BucketeerDraws:N0} draws per variation (Bucketeer: 5 chains x 21,000), seed {MonteCarloReference.DefaultSeed}.");
Console.WriteLine($"Timing: median of {exactRepetitions} (exact) / {monteCarloRepetitions} (Monte Carlo) runs after a warm-up; load average at start: {LoadAverage()}.");
Console.WriteLine();

var rows = new List<string[]>();
var accuracy = new List<string[]>();
foreach (var k in new[] { 2, 3, 5 })
{
    var experiment = Synthetic.Experiment(k, CutOffs, seed: 17 + k);

    // Warm-up before anything is timed: long enough for tiered compilation to reach its optimised code.
    var warmUp = Stopwatch.StartNew();
    while (warmUp.Elapsed < TimeSpan.FromSeconds(quick ? 1 : 3))
    {
        RunExact(experiment);
    }

    RunMonteCarlo(experiment);

    var exactTimes = Enumerable.Range(0, exactRepetitions).Select(_ => Time(() => RunExact(experiment))).ToList();
    var monteCarloTimes = Enumerable.Range(0, monteCarloRepetitions).Select(_ => Time(() => RunMonteCarlo(experiment))).ToList();
    var exactMs = Median(exactTimes.Select(t => t.Wall));
    var exactCpuMs = Median(exactTimes.Select(t => t.Cpu));
    var monteCarloMs = Median(monteCarloTimes.Select(t => t.Wall));
    var monteCarloCpuMs = Median(monteCarloTimes.Select(t => t.Cpu));

    var exact = RunExact(experiment);
    var monteCarlo = RunMonteCarlo(experiment);
    var fine = experiment.Select(c => ExperimentCalculator.Calculate(c, new ExactEngine(GridSettings.Fine))).ToList();

    var vsMonteCarlo = Differences.Between(exact, monteCarlo);
    var vsFine = Differences.Between(exact, fine);
    var closedForm = k == 2 ? Differences.AgainstClosedForm(experiment, exact) : double.NaN;

    // A very long Monte Carlo run on the last cut-off: the exact values must sit inside its error bars.
    var last = experiment[^1];
    var longRun = MonteCarloReference.Calculate(last, longDraws, seed: 4242);
    var (longZ, longDiff) = Differences.StandardisedAgainstLongRun(exact[^1], longRun, longDraws);

    rows.Add([
        k.ToString(), $"{Format(exactMs, 1)} / {Format(exactCpuMs, 1)}", $"{Format(monteCarloMs, 0)} / {Format(monteCarloCpuMs, 0)}",
        $"{Format(monteCarloMs / exactMs, 0)}x / {Format(monteCarloCpuMs / exactCpuMs, 0)}x",
        Format(vsMonteCarlo.Probability, 4), Format(vsMonteCarlo.LossPoints, 4), Format(vsMonteCarlo.Quantile, 6),
    ]);
    accuracy.Add([
        k.ToString(), Sci(vsFine.Max), k == 2 ? Sci(closedForm) : "n/a", Sci(longDiff), Format(longZ, 2),
        Sci(vsMonteCarlo.Probability), Format(vsMonteCarlo.Probability / Math.Sqrt(0.25 / MonteCarloReference.BucketeerDraws), 1),
    ]);
}

Table.Print(
    ["variations", "exact ms/exp wall / CPU", "MC ms/exp wall / CPU", "speed-up wall / CPU", "max|exact-MC| prob", "max|exact-MC| loss (pp)", "max|exact-MC| cvr quantile"],
    rows);
Console.WriteLine();
Console.WriteLine("Own error of each method:");
Table.Print(
    ["variations", "exact vs 32-pt fine grid (all quantities)", "exact vs closed form P(B>A)", $"exact vs {longDraws:N0}-draw MC (probabilities, last cut-off)", "same, in its SEs", "105k MC vs exact (probabilities)", "same, in units of 1/(2*sqrt(N))"],
    accuracy);
Console.WriteLine();
Console.WriteLine("MC = the same GoalCalculation computed by MonteCarloReference (conversion and value, 105,000 draws each).");
Console.WriteLine("Closed form: Evan Miller's sum for P(B > A) (BetaClosedForms), 2 variations only.");
Console.WriteLine("SE = Monte Carlo standard error sqrt(p(1-p)/N); 1/(2*sqrt(N)) is the largest SE of a proportion.");
return;

static List<GoalCalculation> RunExact(List<VariationCounts[]> experiment) =>
    experiment.Select(c => ExperimentCalculator.Calculate(c)).ToList();

static List<GoalCalculation> RunMonteCarlo(List<VariationCounts[]> experiment) =>
    experiment.Select(c => MonteCarloReference.Calculate(c)).ToList();

// Wall time, and the process's CPU time (steadier when other work shares the machine).
static (double Wall, double Cpu) Time(Action action)
{
    var process = Process.GetCurrentProcess();
    var cpuBefore = process.TotalProcessorTime;
    var stopwatch = Stopwatch.StartNew();
    action();
    var wall = stopwatch.Elapsed.TotalMilliseconds;
    process.Refresh();
    return (wall, (process.TotalProcessorTime - cpuBefore).TotalMilliseconds);
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}

static string Format(double value, int decimals) => value.ToString("N" + decimals, CultureInfo.InvariantCulture);

static string Sci(double value) => value.ToString("0.0E+0", CultureInfo.InvariantCulture);

/// <summary>Deterministic synthetic experiments: ~1,500 new users per variation per day, 10% base conversion.</summary>
internal static class Synthetic
{
    private static readonly double[] Lifts = [0.0, 0.04, -0.02, 0.07, 0.01];

    public static List<VariationCounts[]> Experiment(int variations, int days, int seed)
    {
        var random = new Random(seed);
        var users = new long[variations];
        var converted = new long[variations];
        var events = new long[variations];
        var valueSum = new double[variations];
        var valueSquares = new double[variations];
        var cutOffs = new List<VariationCounts[]>(days);
        for (var day = 0; day < days; day++)
        {
            var counts = new VariationCounts[variations];
            for (var v = 0; v < variations; v++)
            {
                var newUsers = 1200 + random.Next(600);
                var rate = 0.10 * (1 + Lifts[v]);
                for (var u = 0; u < newUsers; u++)
                {
                    if (random.NextDouble() < rate)
                    {
                        converted[v]++;
                        events[v] += 1 + random.Next(3);
                        // Log-normal order values around 20 with a lift for some variations.
                        var value = Math.Exp(2.9 + 0.6 * Normal(random)) * (1 + 0.5 * Lifts[v]);
                        valueSum[v] += value;
                        valueSquares[v] += value * value;
                    }
                }

                users[v] += newUsers;
                var n = converted[v];
                var mean = n > 0 ? valueSum[v] / n : 0;
                var variance = n > 1 ? (valueSquares[v] - n * mean * mean) / (n - 1) : 0;
                counts[v] = new VariationCounts(((char)('A' + v)).ToString(), v == 0, users[v], n, events[v], valueSum[v], mean, variance);
            }

            cutOffs.Add(counts);
        }

        return cutOffs;
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}

internal readonly record struct Spread(double Probability, double LossPoints, double Quantile, double Max);

internal static class Differences
{
    /// <summary>Largest absolute differences over every cut-off, variation and reported quantity.</summary>
    public static Spread Between(List<GoalCalculation> a, List<GoalCalculation> b)
    {
        double probability = 0, loss = 0, quantile = 0, max = 0;
        for (var c = 0; c < a.Count; c++)
        {
            for (var v = 0; v < a[c].Variations.Count; v++)
            {
                var (x, y) = (a[c].Variations[v], b[c].Variations[v]);
                probability = Max(probability, x.Cvr!.ProbBest - y.Cvr!.ProbBest, x.Cvr.ProbBeatBaseline - y.Cvr.ProbBeatBaseline);
                loss = Max(loss, x.Cvr.ExpectedLoss - y.Cvr.ExpectedLoss);
                quantile = Max(quantile, x.Cvr.Median - y.Cvr.Median, x.Cvr.P025 - y.Cvr.P025, x.Cvr.P975 - y.Cvr.P975);
                if (x.Value is not null && y.Value is not null)
                {
                    probability = Max(probability, x.Value.ProbBest - y.Value.ProbBest, x.Value.ProbBeatBaseline - y.Value.ProbBeatBaseline);
                    max = Max(max, x.Value.Median - y.Value.Median, x.Value.P025 - y.Value.P025, x.Value.P975 - y.Value.P975);
                }
            }
        }

        return new Spread(probability, loss, quantile, Max(max, probability, loss, quantile));
    }

    public static double AgainstClosedForm(List<VariationCounts[]> experiment, List<GoalCalculation> exact)
    {
        var worst = 0.0;
        for (var c = 0; c < experiment.Count; c++)
        {
            var (a, b) = (experiment[c][0], experiment[c][1]);
            var closed = BetaClosedForms.ProbabilityGreater(
                b.GoalUsers + 1, b.EvaluationUsers - b.GoalUsers + 1, a.GoalUsers + 1, a.EvaluationUsers - a.GoalUsers + 1);
            worst = Max(worst, closed - exact[c].Variations[1].Cvr!.ProbBeatBaseline);
        }

        return worst;
    }

    /// <summary>Largest |exact − long MC| over the probabilities, in MC standard errors and absolute.</summary>
    public static (double Z, double Diff) StandardisedAgainstLongRun(GoalCalculation exact, GoalCalculation longRun, int draws)
    {
        double z = 0, diff = 0;
        for (var v = 0; v < exact.Variations.Count; v++)
        {
            var (x, y) = (exact.Variations[v], longRun.Variations[v]);
            foreach (var (e, m) in new[] { (x.Cvr!.ProbBest, y.Cvr!.ProbBest), (x.Cvr.ProbBeatBaseline, y.Cvr.ProbBeatBaseline), (x.Value!.ProbBest, y.Value!.ProbBest), (x.Value.ProbBeatBaseline, y.Value.ProbBeatBaseline) })
            {
                var se = Math.Sqrt(Math.Max(e * (1 - e), 1e-12) / draws);
                z = Math.Max(z, Math.Abs(e - m) / se);
                diff = Math.Max(diff, Math.Abs(e - m));
            }
        }

        return (z, diff);
    }

    private static double Max(double current, params double[] differences) =>
        differences.Aggregate(current, (m, d) => Math.Max(m, Math.Abs(d)));
}

internal static class Table
{
    public static void Print(string[] header, List<string[]> rows)
    {
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine("| " + string.Join(" | ", header.Select((h, i) => h.PadRight(widths[i]))) + " |");
        Console.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 1) + ":")) + "|");
        foreach (var row in rows)
        {
            Console.WriteLine("| " + string.Join(" | ", row.Select((c, i) => c.PadLeft(widths[i]))) + " |");
        }
    }
}
