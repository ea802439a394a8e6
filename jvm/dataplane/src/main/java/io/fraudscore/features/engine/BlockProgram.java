package io.fraudscore.features.engine;

import io.fraudscore.features.expr.Expr;
import io.fraudscore.features.expr.ExprCompiler;
import io.fraudscore.features.expr.FieldSlots;
import io.fraudscore.features.expr.Frame;
import io.fraudscore.features.plan.BlockPlan;
import io.fraudscore.features.plan.FeatureDefinition;
import io.fraudscore.features.plan.InputPlan;
import io.fraudscore.features.plan.InvalidPlanException;
import io.fraudscore.features.plan.PlanReader.Where;
import io.fraudscore.features.plan.StatefulPlan;
import io.fraudscore.features.state.BytesOut;
import io.fraudscore.features.state.ValueCodec;
import io.fraudscore.features.stateful.StatefulFunction;
import io.fraudscore.features.stateful.StatefulFunctions;
import io.fraudscore.features.value.Numbers;
import io.fraudscore.features.window.KeyLog;
import io.fraudscore.features.window.WindowPlan;
import java.io.DataInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One block of a plan, compiled: {@link #evaluate} computes its features for an event against one key's
 * state and updates that state (unless the event is late). Not thread-safe: it reuses one frame.
 */
public final class BlockProgram {
    private final WindowPlan windows;
    private final long latenessMs;
    private final Expr[] inputs;
    private final StatefulPlan[] stateful;
    private final Expr[] statefulArguments;
    private final int[][] updates;
    private final Expr[] features;
    private final Object[] defaults; // by dependency order
    private final int[] outputOrder; // output position -> dependency-order position
    private final Object[] outputDefaults;
    private final Frame frame;
    private final Object[] aggregateResults;

    public BlockProgram(BlockPlan plan, FieldSlots fields, long latenessMs) throws InvalidPlanException {
        Where where = new Where("block '" + plan.name() + "'");
        this.latenessMs = latenessMs;
        this.windows = new WindowPlan(plan.aggregates(), latenessMs, plan.ttlMs());
        List<FeatureDefinition> definitions = plan.features();
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < definitions.size(); i++) {
            positions.put(definitions.get(i).name(), i);
        }
        ExprCompiler compiler = new ExprCompiler(fields, positions, plan.aggregates().size(), plan.stateful().size());
        inputs = new Expr[plan.inputs().size()];
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = input(compiler, plan.inputs().get(i), where.at("input " + i));
        }
        stateful = plan.stateful().toArray(StatefulPlan[]::new);
        statefulArguments = new Expr[stateful.length];
        for (int i = 0; i < stateful.length; i++) {
            statefulArguments[i] = compiler.compile(stateful[i].argument(), where.at("stateful call " + i));
            try {
                StatefulFunctions.create(stateful[i].function(), stateful[i].params()); // fails now, not per key
            } catch (IllegalArgumentException e) {
                throw where.at("stateful call " + i).error(e.getMessage());
            }
        }
        updates = new int[definitions.size()][];
        features = new Expr[definitions.size()];
        defaults = new Object[definitions.size()];
        for (int i = 0; i < features.length; i++) {
            FeatureDefinition definition = definitions.get(i);
            updates[i] = definition.updates().stream().mapToInt(Integer::intValue).toArray();
            features[i] = compiler.compile(definition.expr(), where.at("feature '" + definition.name() + "'"));
            defaults[i] = definition.defaultValue();
        }
        outputOrder = new int[plan.outputs().size()];
        outputDefaults = new Object[outputOrder.length];
        for (int i = 0; i < outputOrder.length; i++) {
            Integer position = positions.get(plan.outputs().get(i));
            if (position == null) {
                throw where.error("output '" + plan.outputs().get(i) + "' is not one of its features");
            }
            outputOrder[i] = position;
            outputDefaults[i] = defaults[position];
        }
        frame = new Frame(features.length);
        aggregateResults = new Object[windows.aggregates()];
    }

    private static Expr input(ExprCompiler compiler, InputPlan input, Where where) throws InvalidPlanException {
        Expr value = input.value().isNull() || input.value().isMissingNode()
                ? frame -> 1L // count(): every event counts once
                : ExprCompiler.asKind(input.kind(), compiler.compile(input.value(), where));
        if (input.where().isNull() || input.where().isMissingNode()) {
            return value;
        }
        Expr filter = compiler.compile(input.where(), where);
        return frame -> Boolean.TRUE.equals(filter.eval(frame)) ? value.eval(frame) : null;
    }

    public KeyState newState() {
        return new KeyState(windows.newLog(), newFunctions());
    }

    private StatefulFunction[] newFunctions() {
        StatefulFunction[] functions = new StatefulFunction[stateful.length];
        for (int i = 0; i < functions.length; i++) {
            functions[i] = StatefulFunctions.create(stateful[i].function(), stateful[i].params());
        }
        return functions;
    }

    /** The block's features (in its own order) into {@code out} from {@code offset}: its defaults. */
    public void defaults(Object[] out, int offset) {
        System.arraycopy(outputDefaults, 0, out, offset, outputDefaults.length);
    }

    public int outputs() {
        return outputOrder.length;
    }

    /**
     * The block's features for the event (fields by slot, {@code ts} its time) into {@code out} from
     * {@code offset}, in the block's order; updates {@code state} unless the event is late.
     */
    public void evaluate(Object[] fields, long ts, KeyState state, Object[] out, int offset) {
        evaluate(fields, ts, state, out, offset, null);
    }

    /**
     * As {@link #evaluate(Object[], long, KeyState, Object[], int)}, and writes to {@code change} what the event
     * did to the state, for {@link #replay}: its time, the windows' inputs, each stateful function's update. Tens
     * of bytes where a key's whole state is kilobytes: what a key's log of changes keeps between two writes of
     * its whole state.
     */
    public void evaluate(Object[] fields, long ts, KeyState state, Object[] out, int offset, BytesOut change) {
        KeyLog log = state.log;
        boolean seen = log.hasNewest();
        long newest = log.newestTsOr(0);
        if (seen && ts - newest > windows.ttlMs()) {
            state.functions = newFunctions(); // idle past the ttl: start afresh
        }
        boolean late = seen && ts < newest - latenessMs;
        Frame f = frame;
        f.fields = fields;
        f.functions = state.functions;
        Object[] values = new Object[inputs.length]; // kept by the log: a new array each event
        for (int i = 0; i < values.length; i++) {
            values[i] = inputs[i].eval(f);
        }
        windows.update(log, ts, values, aggregateResults);
        if (change != null) {
            writeInputs(change, ts, values);
        }
        f.aggregates = aggregateResults;
        Object[] computed = f.features;
        for (int i = 0; i < features.length; i++) {
            for (int call : updates[i]) {
                Object x = statefulArguments[call].eval(f);
                if (!late && Numbers.isNumber(x)) {
                    state.functions[call].update(x, ts);
                    if (change != null) {
                        writeUpdate(change, call, x);
                    }
                }
            }
            Object value = features[i].eval(f);
            computed[i] = value == null ? defaults[i] : value;
        }
        if (change != null) {
            change.writeByte(0); // no more updates
        }
        for (int i = 0; i < outputOrder.length; i++) {
            out[offset + i] = computed[outputOrder[i]];
        }
    }

    private static void writeInputs(BytesOut change, long ts, Object[] values) {
        try {
            ValueCodec.writeLong(change, ts);
            ValueCodec.writeCount(change, values.length);
            for (Object value : values) {
                ValueCodec.write(change, value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
    }

    private static void writeUpdate(BytesOut change, int call, Object x) {
        try {
            ValueCodec.writeCount(change, call + 1);
            ValueCodec.write(change, x);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Does to {@code state} what the event did whose change {@link #evaluate(Object[], long, KeyState, Object[],
     * int, BytesOut)} wrote, given the state as that event found it: the state ends as that event left it.
     */
    public void replay(DataInput change, KeyState state) throws IOException {
        long ts = ValueCodec.readLong(change);
        int count = ValueCodec.readCount(change);
        if (count != inputs.length) {
            throw new IOException("a change with " + count + " window inputs; the block has " + inputs.length);
        }
        Object[] values = new Object[count];
        for (int i = 0; i < count; i++) {
            values[i] = ValueCodec.read(change);
        }
        KeyLog log = state.log;
        if (log.hasNewest() && ts - log.newestTsOr(0) > windows.ttlMs()) {
            state.functions = newFunctions();
        }
        windows.update(log, ts, values, aggregateResults);
        for (int call = ValueCodec.readCount(change); call != 0; call = ValueCodec.readCount(change)) {
            if (call > state.functions.length) {
                throw new IOException("a change to stateful call " + (call - 1) + "; the block has " + state.functions.length);
            }
            state.functions[call - 1].update(ValueCodec.read(change), ts);
        }
    }
}
