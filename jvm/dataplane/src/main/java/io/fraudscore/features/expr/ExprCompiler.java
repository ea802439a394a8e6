package io.fraudscore.features.expr;

import com.fasterxml.jackson.databind.JsonNode;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PlanReader;
import io.fraudscore.features.plan.PlanReader.Where;
import io.fraudscore.features.value.Numbers;
import io.fraudscore.features.value.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Compiles a plan's expression trees ({@code {"call": "+", "args": [...]}}, {@code {"field": "amount"}}, ...)
 * to {@link Expr} closures with every name bound to a slot: fields to the event's array, features to their
 * place in the block's dependency order, aggregates and stateful calls to their index.
 */
public final class ExprCompiler {
    private final FieldSlots fields;
    private final Map<String, Integer> features;
    private final int aggregates;
    private final int stateful;

    public ExprCompiler(FieldSlots fields, Map<String, Integer> features, int aggregates, int stateful) {
        this.fields = fields;
        this.features = features;
        this.aggregates = aggregates;
        this.stateful = stateful;
    }

    public Expr compile(JsonNode node, Where where) throws InvalidPlanException {
        if (node.has("lit")) {
            Object value = PlanReader.literal(node.get("lit"), where);
            return frame -> value;
        }
        if (node.has("field")) {
            int slot = fields.slot(node.get("field").asText());
            return frame -> frame.fields[slot];
        }
        if (node.has("feature")) {
            Integer index = features.get(node.get("feature").asText());
            if (index == null) {
                throw where.error("unknown feature '" + node.get("feature").asText() + "'");
            }
            int position = index;
            return frame -> frame.features[position];
        }
        if (node.has("aggregate")) {
            int index = bounded(node.get("aggregate"), aggregates, "aggregate", where);
            return frame -> frame.aggregates[index];
        }
        if (node.has("stateful")) {
            int index = bounded(node.get("stateful"), stateful, "stateful call", where);
            String member = node.hasNonNull("member") ? node.get("member").asText() : null;
            return frame -> frame.functions[index].value(member);
        }
        if (node.has("call")) {
            return call(node.get("call").asText(), args(node, where), node, where);
        }
        throw where.error("not an expression: " + node);
    }

    private List<Expr> args(JsonNode node, Where where) throws InvalidPlanException {
        List<Expr> args = new ArrayList<>();
        for (JsonNode arg : node.path("args")) {
            args.add(compile(arg, where));
        }
        return args;
    }

    private static int bounded(JsonNode index, int size, String what, Where where) throws InvalidPlanException {
        int value = index.asInt(-1);
        if (value < 0 || value >= size) {
            throw where.error(what + " " + index + " is not one of the block's " + size);
        }
        return value;
    }

    private Expr call(String function, List<Expr> args, JsonNode node, Where where) throws InvalidPlanException {
        Expr a = args.isEmpty() ? null : args.get(0);
        Expr b = args.size() < 2 ? null : args.get(1);
        switch (function) {
            case "+", "-", "*", "/", "%" -> {
                char op = function.charAt(0);
                arity(function, args, 2, where);
                return frame -> Scalars.arithmetic(op, a.eval(frame), b.eval(frame));
            }
            case "==" -> {
                arity(function, args, 2, where);
                return frame -> Scalars.same(a.eval(frame), b.eval(frame));
            }
            case "!=" -> {
                arity(function, args, 2, where);
                return frame -> !Scalars.same(a.eval(frame), b.eval(frame));
            }
            case "<", "<=", ">", ">=" -> {
                arity(function, args, 2, where);
                return frame -> Scalars.order(function, a.eval(frame), b.eval(frame));
            }
            case "and" -> {
                arity(function, args, 2, where);
                return frame -> Scalars.and(a.eval(frame), b.eval(frame));
            }
            case "or" -> {
                arity(function, args, 2, where);
                return frame -> Scalars.or(a.eval(frame), b.eval(frame));
            }
            case "not" -> {
                arity(function, args, 1, where);
                return frame -> Scalars.not(a.eval(frame));
            }
            case "neg" -> {
                arity(function, args, 1, where);
                return frame -> Scalars.negate(a.eval(frame));
            }
            case "seconds_between" -> {
                arity(function, args, 2, where);
                return frame -> Scalars.secondsBetween(a.eval(frame), b.eval(frame));
            }
            case "in" -> {
                arity(function, args, 1, where);
                Object[] options = options(node, where);
                return frame -> Scalars.in(a.eval(frame), options);
            }
            case "if" -> {
                arity(function, args, 3, where);
                Expr otherwise = args.get(2);
                return frame -> Boolean.TRUE.equals(a.eval(frame)) ? b.eval(frame) : otherwise.eval(frame);
            }
            case "nullif" -> {
                arity(function, args, 2, where);
                return frame -> Scalars.nullif(a.eval(frame), b.eval(frame));
            }
            case "coalesce" -> {
                Expr[] all = args.toArray(Expr[]::new);
                return frame -> coalesce(all, frame);
            }
            case "abs", "log", "exp", "sqrt" -> {
                arity(function, args, 1, where);
                return frame -> Scalars.math(function, a.eval(frame));
            }
            case "round" -> {
                if (args.size() == 1) {
                    return frame -> Scalars.round(a.eval(frame), 0L);
                }
                arity(function, args, 2, where);
                return frame -> Scalars.round(a.eval(frame), b.eval(frame));
            }
            case "lower", "upper" -> {
                arity(function, args, 1, where);
                return frame -> Scalars.text(function, a.eval(frame));
            }
            case "min", "max" -> {
                arity(function, args, 2, where);
                boolean smallest = function.equals("min");
                return frame -> Scalars.extreme(smallest, a.eval(frame), b.eval(frame));
            }
            default -> throw where.error("unknown function '" + function + "'");
        }
    }

    private static Object coalesce(Expr[] args, Frame frame) {
        for (Expr arg : args) {
            Object value = arg.eval(frame);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static Object[] options(JsonNode node, Where where) throws InvalidPlanException {
        List<Object> options = new ArrayList<>();
        for (JsonNode option : node.path("options")) {
            options.add(PlanReader.literal(option, where));
        }
        return options.toArray();
    }

    private static void arity(String function, List<Expr> args, int wanted, Where where) throws InvalidPlanException {
        if (args.size() != wanted) {
            throw where.error("'" + function + "' takes " + wanted + " arguments, got " + args.size());
        }
    }

    /** An aggregate input as its kind allows it: a value of another kind is null (DSL.md: wrong input). */
    public static Expr asKind(String kind, Expr value) {
        return switch (kind) {
            case "number", "timestamp" -> frame -> {
                Object x = value.eval(frame);
                return Numbers.isNumber(x) ? x : null;
            };
            case "string" -> frame -> value.eval(frame) instanceof String s ? s : null;
            case "bool" -> frame -> value.eval(frame) instanceof Boolean b ? b : null;
            default -> frame -> {
                Object x = value.eval(frame);
                return x instanceof String || x instanceof Boolean || Numbers.isNumber(x) ? x : null;
            };
        };
    }
}
