namespace Persisters.Statistics.Posteriors;

/// <summary>A candidate panel boundary and the spacing its distribution needs around it.</summary>
internal readonly record struct GridPoint(double X, double Spacing);
