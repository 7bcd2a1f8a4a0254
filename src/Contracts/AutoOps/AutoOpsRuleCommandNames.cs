namespace Persisters.Contracts;

/// <summary>Where the auto-ops rule commands' wire names live.</summary>
public static class AutoOpsRuleCommandNames
{
    /// <summary>The URN namespace of the commands (without MassTransit's <c>urn:message:</c> prefix, which the attribute adds).</summary>
    public const string Namespace = "Persisters.Contracts:";
}
