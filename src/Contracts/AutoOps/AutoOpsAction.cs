namespace Persisters.Contracts;

public enum AutoOpsAction
{
    Unknown = 0,
    Enable = 1,
    Disable = 2,
}
