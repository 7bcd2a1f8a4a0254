namespace Persisters.IntegrationTests.Support;

/// <summary>For tests of counting, not of the kill switch: a rule whose clauses count users but never trigger.</summary>
public static class CountingRule
{
    /// <summary>A clause's MinCount no test reaches, so the rule stays active and the OPS persisters keep consuming.</summary>
    public const long NeverTriggers = long.MaxValue;
}
