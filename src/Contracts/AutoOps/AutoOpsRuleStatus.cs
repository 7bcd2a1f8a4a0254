namespace Persisters.Contracts;

public enum AutoOpsRuleStatus
{
    Waiting = 0,
    Running = 1,
    Finished = 2,
    Stopped = 3,
}
