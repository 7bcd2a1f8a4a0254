using Persisters.Contracts;

namespace Persisters.Sagas.Tests.Support;

/// <summary>Valid commands to start from; each test changes what it is about.</summary>
public static class Experiments
{
    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>Starts in an hour and runs for a day: it stays waiting for the length of any test.</summary>
    public static CreateExperiment Create(Guid? id = null, long? startAt = null, long? stopAt = null) => new()
    {
        ExperimentId = id ?? Guid.NewGuid(),
        EnvironmentId = "env-1",
        Name = "checkout button colour",
        FeatureId = "checkout-button",
        FeatureVersion = 3,
        VariationIds = ["blue", "green"],
        BaselineVariationId = "blue",
        GoalIds = ["purchase", "add-to-cart", "purchase"],
        StartAt = startAt ?? Now + 3600,
        StopAt = stopAt ?? Now + 3600 + 86_400,
    };

    /// <summary>Started ten seconds ago: running at once.</summary>
    public static CreateExperiment CreateRunning(Guid? id = null) => Create(id, startAt: Now - 10, stopAt: Now + 86_400);
}
