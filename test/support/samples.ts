/**
 * Sample smart-car records shared by the schema tests: one v1 CarStatus (its 13 CSV columns, no
 * optional collect_date) and one v1 DrivingEvent, with the CSV lines they parse from. Tests that
 * change a record spread a copy; these objects are never mutated.
 */

/** `20160101000000,K0001,88,91,90,87,1,1,1,1,A,B,77` as a CarStatus v1 record, without collect_date. */
export const STATUS_V1_FIELDS = {
  reg_date: '20160101000000',
  car_number: 'K0001',
  tire_fl: 88,
  tire_fr: 91,
  tire_bl: 90,
  tire_br: 87,
  light_fl: 1,
  light_fr: 1,
  light_bl: 1,
  light_br: 1,
  engine: 'A',
  break: 'B',
  battery: 77,
} as const;

/** `20190101000000,B0004,2,0,L3,L,10,A01` as a DrivingEvent v1 record. */
export const DRIVING_V1_RECORD = {
  date: '20190101000000',
  car_number: 'B0004',
  speed_pedal: 2,
  break_pedal: 0,
  steer_angle: 'L3',
  direct_light: 'L',
  speed: 10,
  area_number: 'A01',
} as const;
