namespace Persisters.Contracts;

public enum RateOperator
{
    GreaterOrEqual = 0,
    LessOrEqual = 1,
}
