namespace Persisters.Contracts;

/// <summary>Why the SDK served the variation; its name is what gets stored.</summary>
public enum ReasonType
{
    Target = 0,
    Rule = 1,
    Default = 3,
    Client = 4,
    OffVariation = 5,
    Prerequisite = 6,
    Error = 7,
}
