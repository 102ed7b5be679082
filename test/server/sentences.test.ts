/** Error sentences: every field problem reads as a sentence naming the field in words, never "name — must be text". */
import { z } from 'zod';
import { ValidationError } from '../../server/errors';
import { isoDate, parse, text } from '../../server/http/validate';
import { asSentence, labelOf } from '../../server/http/sentences';

const schema = z.strictObject({
  name: text(200).meta({ missing: 'Give the cohort a name' }),
  organisationId: z.uuid(),
  staffCount: z.coerce.number({ message: 'must be a number' }).optional(),
  role: z.enum(['mentor', 'lead']),
  startsOn: isoDate.optional(),
  passMark: z.number().max(100).meta({ label: 'pass mark' }).optional(),
});

function problems(input: unknown): { message: string; fields: { field: string; message: string }[] } {
  try {
    parse(schema, input);
  } catch (e) {
    if (e instanceof ValidationError) return { message: e.message, fields: e.fields };
    throw e;
  }
  throw new Error('expected a ValidationError');
}

describe('error sentences', () => {
  it('asks for what was left out, with the schema’s own words when it has them', () => {
    const { fields, message } = problems({});
    expect(fields).toEqual([
      { field: 'name', message: 'Give the cohort a name.' },
      { field: 'organisationId', message: 'Choose the organisation.' },
      { field: 'role', message: 'Choose the role.' },
    ]);
    expect(message).toBe('There are 3 problems: Give the cohort a name. Choose the organisation. Choose the role.');
  });

  it('says what is wrong with a value given, naming the field in words', () => {
    const { fields } = problems({ name: 'Spring', organisationId: 'x', staffCount: 'lots', role: 'owner', startsOn: '1/2', passMark: 120, colour: 1 });
    const by = Object.fromEntries(fields.map((f) => [f.field, f.message]));
    expect(by.staffCount).toBe('The number of staff must be a number.');
    expect(by.startsOn).toMatch(/^The start date must be a date/);
    expect(by.role).toBe('The role must be one of: mentor, lead.');
    expect(by.passMark).toBe('The pass mark must be at most 100.');
    expect(by.colour).toBe('“colour” is not a field this accepts.');
    for (const f of fields) expect(f.message).not.toMatch(/ — |^[a-z]/);
  });

  it('turns a command’s fragment into a sentence and keeps a sentence as it is', () => {
    expect(asSentence('endsOn', 'must be on or after the start date')).toBe('The end date must be on or after the start date.');
    expect(asSentence('cohortId', 'is required')).toBe('Choose the cohort.');
    expect(asSentence('rubricId', 'Choose a rubric that exists.')).toBe('Choose a rubric that exists.');
    expect(new ValidationError('x', [{ field: 'criteria.2.title', message: 'is required' }]).fields[0].message).toBe('Enter the title of criterion 3.');
    // A field in a numbered row says which row; a field in any other list does not invent one.
    expect(new ValidationError('x', [{ field: 'criteria.0.weight', message: 'must be more than 0' }]).fields[0].message).toBe('The weight of criterion 1 must be more than 0.');
    expect(new ValidationError('x', [{ field: 'complete.1.params.count', message: 'must be a number' }]).fields[0].message).toBe('The count must be a number.');
    expect(labelOf('scheduledAt')).toBe('scheduled time');
  });
});
