namespace Persisters.Contracts;

/// <summary>Lifecycle status of an experiment (numbers as in the reference).</summary>
public enum ExperimentStatus
{
    Waiting = 0,
    Running = 1,
    Stopped = 2,
    ForceStopped = 3,
    Finished = 4,
}
