namespace Persisters.Contracts;

/// <summary>Which SDK sent the event (numbers as in the reference's proto).</summary>
public enum SourceId
{
    Unknown = 0,
    Android = 1,
    Ios = 2,
    Web = 3,
    GoServer = 5,
    NodeServer = 6,
    Javascript = 7,
    Flutter = 8,
    React = 9,
    ReactNative = 10,
    OpenFeatureKotlin = 100,
    OpenFeatureSwift = 101,
    OpenFeatureJavascript = 102,
    OpenFeatureGo = 103,
    OpenFeatureNode = 104,
    OpenFeatureReact = 105,
    OpenFeatureReactNative = 106,
}
