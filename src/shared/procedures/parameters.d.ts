import type { Step } from '../runbook/schema';
import { type EngineAction } from './model';
export type FieldKind = 'integer' | 'text' | 'image' | 'env' | 'quantity' | 'selector' | 'input';
export interface ParameterField {
    /** What `--set` and the form key it by: `replicas`, `image`, `env`, `limits.memory`, `input.USER_ID`. */
    name: string;
    label: string;
    kind: FieldKind;
    /** The runbook's value, as text ('' when it has none). */
    value: string;
    required: boolean;
    min?: number;
    max?: number;
    /** Anchored pattern for `input` fields. */
    pattern?: string;
    secret?: boolean;
    help?: string;
}
export interface ParameterIssue {
    field: string;
    message: string;
}
/** The most replicas the cockpit will set in one step; more is a typo more often than a plan. */
export declare const MAX_REPLICAS = 100;
export declare const isImageReference: (value: string) => boolean;
/** `KEY=value` per line sets, `KEY-` unsets (kubectl's syntax). */
export declare function parseEnvLines(text: string): {
    set: Record<string, string>;
    unset: string[];
    issues: string[];
};
/** The fields a step's dialog shows, with the runbook's values. */
export declare function parameterFields(step: Step): ParameterField[];
export type Validated = {
    ok: true;
    action: EngineAction;
    inputs: Record<string, string>;
} | {
    ok: false;
    issues: ParameterIssue[];
};
/**
 * The step's action with the responder's values (`values` keyed by field name; missing ones keep
 * the runbook's), templates expanded (`{date:...}`, `{input:...}`), checked field by field and
 * then against the action's schema. Unknown field names are refused, so a typo in `--set` is seen.
 */
export declare function validateParameters(step: Step, values: Readonly<Record<string, string>>, namespace: string, now?: Date): Validated;
/** The action aimed at `namespace` (the responder's chosen namespace over the runbook's). */
export declare function withNamespace(action: EngineAction, namespace: string): EngineAction;
/** `--set name=value` arguments as form values. */
export declare function parseSetArguments(pairs: readonly string[]): {
    values: Record<string, string>;
    issues: string[];
};
