import { Jimp, intToRGBA } from 'jimp';
import { nimbus } from '@nimbus/sdk';

interface Thumbnailed {
  data: { name: string; thumb: { bucket: string; key: string }; [k: string]: unknown };
}

/** Average colour and brightness of the thumbnail. */
export const handler = async (event: Thumbnailed, context: unknown) => {
  const client = nimbus(context);
  const { body } = await client.objects.get(event.data.thumb.bucket, event.data.thumb.key);
  const img = await Jimp.read(body);
  let r = 0;
  let g = 0;
  let b = 0;
  const n = img.width * img.height;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      const c = intToRGBA(img.getPixelColor(x, y));
      r += c.r;
      g += c.g;
      b += c.b;
    }
  const avg = { r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n) };
  const brightness = Math.round((0.299 * avg.r + 0.587 * avg.g + 0.114 * avg.b) * 100) / 100;
  const dominant = avg.r >= avg.g && avg.r >= avg.b ? 'red' : avg.g >= avg.b ? 'green' : 'blue';
  await client.publish('images', {
    type: 'image.analysed',
    subject: event.data.name,
    data: { ...event.data, averageColor: avg, brightness, dominant },
  });
  return { name: event.data.name, dominant };
};
