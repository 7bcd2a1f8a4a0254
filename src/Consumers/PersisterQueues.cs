namespace Persisters.Consumers;

/// <summary>Queue names of the four persisters; manifests and autoscaler triggers rely on them.</summary>
public static class PersisterQueues
{
    public const string EvaluationDwh = "evaluation-events-dwh";
    public const string GoalDwh = "goal-events-dwh";
    public const string EvaluationOps = "evaluation-events-ops";
    public const string GoalOps = "goal-events-ops";

    /// <summary>Every persister queue, in <see cref="PersisterCatalogue.All"/>'s order.</summary>
    public static readonly IReadOnlyList<string> All = PersisterCatalogue.All.Select(p => p.QueueName).ToArray();
}
