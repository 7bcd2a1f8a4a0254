using System.Data.Common;
using System.Text;
using Persisters.Contracts;
using Persisters.Persistence.Writers;
using Persisters.Statistics;
using Persisters.Statistics.Data;

namespace Persisters.Consumers.Calculator;

/// <summary>One variation at one cut-off: the calculator's counts plus the evaluation events it does not use.</summary>
public sealed record VariationSnapshot(VariationCounts Counts, long EvaluationEvents);

/// <summary>Cumulative counts of every variation over [start_at, <see cref="EndAt"/>], in the experiment's variation order.</summary>
public sealed record CutOffCounts(long EndAt, IReadOnlyList<VariationSnapshot> Variations)
{
    public IReadOnlyList<VariationCounts> Counts => Variations.Select(v => v.Counts).ToList();
}

/// <summary>One goal of an experiment at each cut-off, oldest first.</summary>
public sealed record GoalCounts(string GoalId, IReadOnlyList<CutOffCounts> CutOffs);

/// <summary>
/// The calculator's inputs (reference §9.2): for each goal and each cumulative cut-off T, per variation, distinct
/// evaluation users and evaluation events of the flag version in [start, T], and goal users, events and value sum,
/// mean and sample variance with each user's value sum capped at the 99th percentile (NTILE(100)) of all users'
/// sums of that goal at T. Value statistics beyond double range come back as ±Infinity (never a wrapped or zeroed
/// number), the same on both providers; the calculator then skips the value model with a reason.
/// </summary>
/// <remarks>
/// One pass per table instead of one query per cut-off: every row is put in the bucket of the first cut-off that
/// includes it (a CASE over the cut-offs, so the SQL is the same on MySQL and SQLite), and the buckets are summed
/// up in memory. Evaluation users are bucketed by their first evaluation of the variation, so a user seen on
/// several days counts once. Goal rows come back per (user, variation, bucket), because the cap needs each
/// user's cumulative sum at every cut-off.
/// </remarks>
public sealed class ExperimentCounts(PersistersDatabase database)
{
    public Task<IReadOnlyList<GoalCounts>> LoadAsync(ExperimentDefinition experiment, IReadOnlyList<long> cutOffs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(cutOffs);
        if (cutOffs.Count == 0) return Task.FromResult<IReadOnlyList<GoalCounts>>([]);
        return database.ReadAsync(async (s, token) =>
        {
            var evaluations = await EvaluationBucketsAsync(s, experiment, cutOffs, token);
            var goals = new List<GoalCounts>();
            foreach (var goalId in experiment.GoalIds)
            {
                var rows = await GoalBucketsAsync(s, experiment, goalId, cutOffs, token);
                goals.Add(new GoalCounts(goalId, Cumulate(experiment, cutOffs, evaluations, rows)));
            }
            return (IReadOnlyList<GoalCounts>)goals;
        }, ct);
    }

    private sealed record EvaluationBuckets(Dictionary<(string Variation, int Bucket), long> Users, Dictionary<(string Variation, int Bucket), long> Events);

    /// <summary>
    /// Goal values are summed in SQL as value·2^−64: a power-of-two factor is exact, so the sum is the plain double sum
    /// scaled, except that it cannot overflow (a plain SUM of two 1e308 gives +∞ on SQLite and 0 on MariaDB). The
    /// per-user totals are scaled back in C# (<see cref="UserValueSum"/>), to ±∞ only when the exact total is beyond range.
    /// </summary>
    private const int ValueScaleExponent = 64;

    /// <param name="ScaledValueSum">Σ value·2^−64 of the user's goal events in the bucket.</param>
    private readonly record struct GoalBucketRow(string UserId, string VariationId, int Bucket, long Events, double ScaledValueSum);

    private static double UserValueSum(double scaledValueSum) => Math.ScaleB(scaledValueSum, ValueScaleExponent);

    private static async Task<EvaluationBuckets> EvaluationBucketsAsync(DbSession s, ExperimentDefinition x, IReadOnlyList<long> cutOffs, CancellationToken ct)
    {
        const string window = "environment_id = @env AND feature_id = @feature AND feature_version = @version AND timestamp BETWEEN @start AND @end";
        var users = new Dictionary<(string, int), long>();
        await using (var cmd = s.Command("", Window(x, cutOffs)))
        {
            cmd.CommandText =
                $"SELECT variation_id, {Bucket(cmd, "first_at", cutOffs)} AS bucket, COUNT(*) FROM (" +
                $"SELECT user_id, variation_id, MIN(timestamp) AS first_at FROM evaluation_event WHERE {window} GROUP BY user_id, variation_id" +
                ") f GROUP BY variation_id, bucket";
            await ReadBucketsAsync(cmd, users, ct);
        }

        var events = new Dictionary<(string, int), long>();
        await using (var cmd = s.Command("", Window(x, cutOffs)))
        {
            cmd.CommandText =
                $"SELECT variation_id, {Bucket(cmd, "timestamp", cutOffs)} AS bucket, COUNT(*) FROM evaluation_event WHERE {window} " +
                "GROUP BY variation_id, bucket";
            await ReadBucketsAsync(cmd, events, ct);
        }
        return new EvaluationBuckets(users, events);
    }

    private static async Task<List<GoalBucketRow>> GoalBucketsAsync(DbSession s, ExperimentDefinition x, string goalId, IReadOnlyList<long> cutOffs, CancellationToken ct)
    {
        await using var cmd = s.Command("",
            [.. Window(x, cutOffs), ("@experiment", x.ExperimentId.ToString("D")), ("@goal", goalId), ("@scale", Math.ScaleB(1.0, -ValueScaleExponent))]);
        cmd.CommandText =
            $"SELECT user_id, variation_id, {Bucket(cmd, "timestamp", cutOffs)} AS bucket, COUNT(*), SUM(COALESCE(value, 0) * @scale) FROM goal_event " +
            "WHERE experiment_id = @experiment AND goal_id = @goal AND environment_id = @env AND feature_id = @feature " +
            "AND feature_version = @version AND timestamp BETWEEN @start AND @end " +
            "GROUP BY user_id, variation_id, bucket";
        var rows = new List<GoalBucketRow>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new GoalBucketRow(reader.GetString(0), reader.GetString(1), Convert.ToInt32(reader.GetValue(2)),
                Convert.ToInt64(reader.GetValue(3)), reader.IsDBNull(4) ? 0 : Convert.ToDouble(reader.GetValue(4))));
        }
        return rows;
    }

    private static List<CutOffCounts> Cumulate(ExperimentDefinition x, IReadOnlyList<long> cutOffs, EvaluationBuckets evaluations, List<GoalBucketRow> goalRows)
    {
        var result = new List<CutOffCounts>(cutOffs.Count);
        var byBucket = goalRows.ToLookup(r => r.Bucket);
        // Running per (user, variation) totals, in ordinal order so that every sum is taken in the same order.
        var perUser = new SortedDictionary<(string User, string Variation), (long Events, double ScaledSum)>(UserOrder.Instance);
        for (var bucket = 0; bucket < cutOffs.Count; bucket++)
        {
            foreach (var row in byBucket[bucket])
            {
                var key = (row.UserId, row.VariationId);
                var total = perUser.GetValueOrDefault(key);
                perUser[key] = (total.Events + row.Events, total.ScaledSum + row.ScaledValueSum);
            }
            var users = perUser.Select(u => new UserGoalRow(u.Key.Variation, u.Value.Events, UserValueSum(u.Value.ScaledSum))).ToList();
            var goals = Winsorization.Summarise(users).ToDictionary(t => t.VariationId, StringComparer.Ordinal);
            var variations = x.VariationIds.Select(v =>
            {
                var g = goals.GetValueOrDefault(v);
                var counts = new VariationCounts(v, v == x.BaselineVariationId, SumUpTo(evaluations.Users, v, bucket),
                    g?.UserCount ?? 0, g?.EventCount ?? 0, g?.ValueSum ?? 0, g?.ValueMean ?? 0, g?.ValueVariance ?? 0);
                return new VariationSnapshot(counts, SumUpTo(evaluations.Events, v, bucket));
            }).ToList();
            result.Add(new CutOffCounts(cutOffs[bucket], variations));
        }
        return result;
    }

    private sealed class UserOrder : IComparer<(string User, string Variation)>
    {
        public static readonly UserOrder Instance = new();

        public int Compare((string User, string Variation) a, (string User, string Variation) b)
        {
            var c = string.CompareOrdinal(a.User, b.User);
            return c != 0 ? c : string.CompareOrdinal(a.Variation, b.Variation);
        }
    }

    private static long SumUpTo(Dictionary<(string Variation, int Bucket), long> buckets, string variation, int bucket)
    {
        long total = 0;
        for (var b = 0; b <= bucket; b++) total += buckets.GetValueOrDefault((variation, b));
        return total;
    }

    private static (string, object?)[] Window(ExperimentDefinition x, IReadOnlyList<long> cutOffs) =>
    [
        ("@env", x.EnvironmentId), ("@feature", x.FeatureId), ("@version", x.FeatureVersion), ("@start", x.StartAt), ("@end", cutOffs[^1]),
    ];

    /// <summary>CASE WHEN col &lt;= @c0 THEN 0 WHEN col &lt;= @c1 THEN 1 … END: the index of the first cut-off that includes the row.</summary>
    private static string Bucket(DbCommand cmd, string column, IReadOnlyList<long> cutOffs)
    {
        // One cut-off (an experiment younger than a day): every row is in it. "CASE ELSE 0 END" is not SQL on MySQL/MariaDB.
        if (cutOffs.Count == 1) return "0";
        var sql = new StringBuilder("CASE");
        for (var i = 0; i < cutOffs.Count - 1; i++)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = $"@c{i}";
            p.Value = cutOffs[i];
            cmd.Parameters.Add(p);
            sql.Append($" WHEN {column} <= @c{i} THEN {i}");
        }
        sql.Append($" ELSE {cutOffs.Count - 1} END");
        return sql.ToString();
    }

    private static async Task ReadBucketsAsync(DbCommand cmd, Dictionary<(string, int), long> into, CancellationToken ct)
    {
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = (reader.GetString(0), Convert.ToInt32(reader.GetValue(1)));
            into[key] = into.GetValueOrDefault(key) + Convert.ToInt64(reader.GetValue(2));
        }
    }
}
